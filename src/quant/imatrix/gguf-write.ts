/**
 * Writes an ImportanceMatrix as a llama.cpp GGUF imatrix (what llama-quantize --imatrix and
 * llama-imatrix --in-file read): in_sum2 = f32(mean × tokens), counts = tokens. An entry without
 * token counts (imported from a legacy file) is written with counts 1 and in_sum2 = mean, which
 * keeps the means exact. Dims are stored the way ggml does: trailing 1s dropped ([K], [1]).
 */
import { fail } from "../../core/errors.js";
import { GENERAL, GGML_TYPE, GGUF_VALUE_TYPE, writeGgufFile, type GgufKvInput, type GgufTensorInput } from "../../../formats/gguf/index.js";
import { COUNTS_SUFFIX, IMATRIX_GENERAL_TYPE, IMATRIX_KEY, SUMS_SUFFIX } from "./gguf-keys.js";
import type { ImatrixEntry, ImportanceMatrix } from "./types.js";
import { f32LeBytes } from "./values.js";

function ggmlDims(ne0: number, ne1: number): number[] {
  return ne1 === 1 ? [ne0] : [ne0, ne1];
}

function entryTensors(name: string, e: ImatrixEntry): GgufTensorInput[] {
  if (e.mean.length !== e.columns * e.matrices) {
    fail("SHAPE_MISMATCH", { tensor: name, detail: `${e.mean.length} means for ${e.matrices} × ${e.columns}` });
  }
  const counts = e.tokens ?? new Float64Array(e.matrices).fill(1);
  if (counts.length !== e.matrices) fail("SHAPE_MISMATCH", { tensor: name, detail: `${counts.length} token counts for ${e.matrices} matrices` });
  const sums = new Float32Array(e.mean.length);
  for (let m = 0; m < e.matrices; m++) {
    const c = counts[m] as number;
    for (let i = m * e.columns; i < (m + 1) * e.columns; i++) sums[i] = (e.mean[i] as number) * c;
  }
  return [
    { name: name + SUMS_SUFFIX, type: GGML_TYPE.F32, dims: ggmlDims(e.columns, e.matrices), data: f32LeBytes(sums) },
    { name: name + COUNTS_SUFFIX, type: GGML_TYPE.F32, dims: ggmlDims(1, e.matrices), data: f32LeBytes(counts) },
  ];
}

/** The KVs llama.cpp writes; llama-quantize refuses a file without all three imatrix keys. */
function imatrixKvs(m: ImportanceMatrix): [string, GgufKvInput][] {
  const { datasets, chunkCount, chunkSize } = m.provenance;
  if (datasets.length === 0) fail("USAGE", { detail: "an imatrix file needs at least one dataset name (imatrix.datasets)" });
  return [
    [GENERAL.TYPE, { type: GGUF_VALUE_TYPE.STRING, value: IMATRIX_GENERAL_TYPE }],
    [IMATRIX_KEY.DATASETS, { type: GGUF_VALUE_TYPE.ARRAY, value: { elementType: GGUF_VALUE_TYPE.STRING, values: datasets } }],
    [IMATRIX_KEY.CHUNK_COUNT, { type: GGUF_VALUE_TYPE.UINT32, value: chunkCount ?? 0 }],
    [IMATRIX_KEY.CHUNK_SIZE, { type: GGUF_VALUE_TYPE.UINT32, value: chunkSize ?? 0 }],
  ];
}

/** Writes `m` at `path` atomically (nothing is left behind on failure). */
export async function writeGgufImatrix(path: string, m: ImportanceMatrix): Promise<void> {
  if (m.entries.size === 0) fail("USAGE", { detail: "the importance matrix has no entries" });
  const kv = imatrixKvs(m);
  const tensors = [...m.entries].flatMap(([name, e]) => entryTensors(name, e));
  await writeGgufFile(path, { kv, tensors });
}
