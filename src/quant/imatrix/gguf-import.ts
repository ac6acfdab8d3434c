/**
 * llama.cpp's GGUF imatrix files: per weight `<name>.in_sum2` (F32 [K, n_mat], Σx² per column)
 * and `<name>.counts` (F32 [1, n_mat], tokens per matrix); mean = in_sum2 / counts, computed in
 * f32 as llama-quantize does, and 1 for a matrix whose count is 0 (llama-quantize's rule for
 * partial data). Other tensors (e.g. `.in_sum` activation statistics) are ignored, as there.
 */
import { fail } from "../../core/errors.js";
import { withFileSource, type ByteSource } from "../../core/io.js";
import { GENERAL, GGML_TYPE, GGUF_VALUE_TYPE, readGguf, readTensorData, type GgufFile, type GgufTensorInfo } from "../../../formats/gguf/index.js";
import { COUNTS_SUFFIX, IMATRIX_GENERAL_TYPE, IMATRIX_KEY, SUMS_SUFFIX } from "./gguf-keys.js";
import type { ImatrixEntry, ImportanceMatrix } from "./types.js";
import { checkNonNegative, readF32Le } from "./values.js";

interface Pair {
  sums?: GgufTensorInfo;
  counts?: GgufTensorInfo;
}

function u32Key(gguf: GgufFile, key: string, file: string): number {
  const kv = gguf.kv.get(key) ?? fail("INVALID_VALUE", { file, tensor: key, detail: `imatrix metadata '${key}' is missing` });
  if (kv.type !== GGUF_VALUE_TYPE.UINT32) fail("INVALID_VALUE", { file, tensor: key, detail: `'${key}' must be UINT32` });
  return kv.value;
}

function datasetsOf(gguf: GgufFile, file: string): string[] {
  const key = IMATRIX_KEY.DATASETS;
  const kv = gguf.kv.get(key) ?? fail("INVALID_VALUE", { file, tensor: key, detail: `imatrix metadata '${key}' is missing` });
  if (kv.type !== GGUF_VALUE_TYPE.ARRAY || kv.value.elementType !== GGUF_VALUE_TYPE.STRING) {
    fail("INVALID_VALUE", { file, tensor: key, detail: `'${key}' must be an ARRAY of STRING` });
  }
  return [...kv.value.values];
}

function checkGeneralType(gguf: GgufFile, file: string): void {
  const kv = gguf.kv.get(GENERAL.TYPE);
  if (kv === undefined || (kv.type === GGUF_VALUE_TYPE.STRING && kv.value === IMATRIX_GENERAL_TYPE)) return;
  const found = kv.type === GGUF_VALUE_TYPE.STRING ? `'${kv.value}'` : "not a string";
  fail("UNKNOWN_FORMAT", { file, detail: `general.type is ${found}, not '${IMATRIX_GENERAL_TYPE}': this GGUF is not an importance matrix` });
}

/** in_sum2/counts tensors by weight name, in the order their first tensor appears. */
function pairTensors(gguf: GgufFile, file: string): Map<string, Required<Pair>> {
  const pairs = new Map<string, Pair>();
  for (const t of gguf.tensors) {
    const suffix = t.name.endsWith(SUMS_SUFFIX) ? SUMS_SUFFIX : t.name.endsWith(COUNTS_SUFFIX) ? COUNTS_SUFFIX : undefined;
    if (suffix === undefined) continue;
    const name = t.name.slice(0, -suffix.length);
    const pair = pairs.get(name) ?? {};
    if (suffix === SUMS_SUFFIX) pair.sums = t;
    else pair.counts = t;
    pairs.set(name, pair);
  }
  if (pairs.size === 0) fail("INVALID_VALUE", { file, detail: `no '*${SUMS_SUFFIX}' / '*${COUNTS_SUFFIX}' tensors: the imatrix holds no entries` });
  const complete = new Map<string, Required<Pair>>();
  for (const [name, { sums, counts }] of pairs) {
    if (sums === undefined || counts === undefined) {
      const missing = `${name}${sums === undefined ? SUMS_SUFFIX : COUNTS_SUFFIX}`;
      fail("TENSOR_NOT_FOUND", { file, tensor: missing, detail: `'${name}' has ${sums === undefined ? "counts but no sums" : "sums but no counts"}` });
    }
    complete.set(name, { sums, counts });
  }
  return complete;
}

function checkShapes(name: string, { sums, counts }: Required<Pair>, file: string): { columns: number; matrices: number } {
  for (const t of [sums, counts]) {
    if (t.type !== GGML_TYPE.F32) fail("UNSUPPORTED_DTYPE", { file, tensor: t.name, detail: `type ${t.typeName}; imatrix tensors are F32` });
    if (t.dims.length > 2) fail("INVALID_DIMS", { file, tensor: t.name, detail: `${t.dims.length} dims; imatrix tensors have at most 2` });
  }
  const columns = sums.dims[0] as number;
  const matrices = sums.dims[1] ?? 1;
  const countDims = [counts.dims[0], counts.dims[1] ?? 1];
  if (countDims[0] !== 1 || countDims[1] !== matrices) {
    fail("SHAPE_MISMATCH", { file, tensor: counts.name, detail: `dims [${counts.dims}], expected [1, ${matrices}] to match '${name}${SUMS_SUFFIX}' [${sums.dims}]` });
  }
  return { columns, matrices };
}

async function readEntry(source: ByteSource, name: string, pair: Required<Pair>): Promise<ImatrixEntry> {
  const file = source.name;
  const { columns, matrices } = checkShapes(name, pair, file);
  const sums = readF32Le(await readTensorData(source, pair.sums), 0, columns * matrices);
  const counts = readF32Le(await readTensorData(source, pair.counts), 0, matrices);
  checkNonNegative(sums, { tensor: pair.sums.name, file, offset: pair.sums.absoluteOffset, what: "in_sum2" });
  checkNonNegative(counts, { tensor: pair.counts.name, file, offset: pair.counts.absoluteOffset, what: "counts" });
  const mean = new Float32Array(columns * matrices);
  for (let m = 0; m < matrices; m++) {
    const count = counts[m] as number;
    const start = m * columns;
    if (count > 0) for (let i = start; i < start + columns; i++) mean[i] = (sums[i] as number) / count;
    else mean.fill(1, start, start + columns);
  }
  return { mean, columns, matrices, tokens: Float64Array.from(counts) };
}

async function importFrom(source: ByteSource): Promise<ImportanceMatrix> {
  const file = source.name;
  const gguf = await readGguf(source);
  checkGeneralType(gguf, file);
  const datasets = datasetsOf(gguf, file);
  const chunkCount = u32Key(gguf, IMATRIX_KEY.CHUNK_COUNT, file);
  const chunkSize = u32Key(gguf, IMATRIX_KEY.CHUNK_SIZE, file);
  const entries = new Map<string, ImatrixEntry>();
  let tokens = 0;
  for (const [name, pair] of pairTensors(gguf, file)) {
    const entry = await readEntry(source, name, pair);
    for (const t of entry.tokens ?? []) tokens = Math.max(tokens, t);
    entries.set(name, entry);
  }
  return { entries, provenance: { sourceFile: file, datasets, chunkCount, chunkSize, tokens, format: "gguf" } };
}

/** Reads a GGUF imatrix from a path or any ByteSource. */
export function importGgufImatrix(source: ByteSource | string): Promise<ImportanceMatrix> {
  return typeof source === "string" ? withFileSource(source, importFrom) : importFrom(source);
}
