/**
 * The source side of `verifyGguf`: a model folder (or cached repo id) opened once and planned with
 * src/model, then, per GGUF tensor, the ternary codes and σ the converter must have written, by the
 * converter's rule (map, then quantize):
 *   HF packed U8 + weight_scale → unpack (σ from weight_scale by the config's convention), permute q/k rows;
 *   float → permute q/k rows, then already ternary × σ (`detectTernary`, not all zero) → those codes and σ,
 *           else absmean per tensor (torch reduction).
 */
import { readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fail } from "../core/errors.js";
import { openCheckpoint, type Checkpoint } from "../../formats/safetensors/index.js";
import { resolveModelPath, type ResolveModelOptions } from "../hub/hf-cache.js";
import { parseModelConfigText, permuteQkRows, planTensors, type TensorPlanEntry } from "../model/index.js";
import { hfPackedToTernary, ternarizeTensor, type CodeSource } from "../quant/index.js";

export type { CodeSource };

export interface SourceTernary {
  /** HF tensor the codes come from. */
  source: string;
  /** Row-major [M, K] codes, permuted when the plan says so. */
  codes: Int8Array;
  /** Per-tensor σ (W ≈ σ·t). */
  sigma: number;
  from: CodeSource;
}

export interface SourceModel {
  /** The resolved model folder or file. */
  path: string;
  /** Expected codes and σ of GGUF tensor `gguf` with GGUF dims `dims`. */
  expected(gguf: string, dims: readonly number[]): Promise<SourceTernary>;
  close(): Promise<void>;
}

/** What the rule needs of a tensor; a TensorPlanEntry and the pipeline's PlannedTensor both have it. */
export type TernarySourceFacts = Pick<TensorPlanEntry, "source" | "shape" | "sourceShape" | "permute" | "packed">;

/** Codes and σ from float source values (logical shape, not yet permuted). */
export function ternaryFromValues(entry: TernarySourceFacts, values: Float32Array): SourceTernary {
  return { source: entry.source, ...ternarizeTensor(permuted(entry, values), entry.shape, { tensor: entry.source }) };
}

/** Codes and σ from an HF packed U8 weight and its weight_scale value. */
export function ternaryFromPacked(entry: TernarySourceFacts, packed: Uint8Array, weightScale: number): SourceTernary {
  const p = entry.packed ?? fail("USAGE", { tensor: entry.source, detail: "the plan entry is not an HF packed weight" });
  const t = hfPackedToTernary(packed, entry.sourceShape, p.outFeatures, weightScale, p.convention, entry.source);
  return { source: entry.source, codes: permuted(entry, t.codes), sigma: t.scale, from: "hf-packed" };
}

function permuted<T extends Float32Array | Int8Array>(entry: TernarySourceFacts, rows: T): T {
  return entry.permute ? permuteQkRows(rows, entry.shape[0]!, entry.permute.heads, entry.source) : rows;
}

async function readSource(checkpoint: Checkpoint, entry: TensorPlanEntry): Promise<SourceTernary> {
  if (!entry.packed) return ternaryFromValues(entry, await checkpoint.readFloat32(entry.source));
  const packed = await checkpoint.readTyped(entry.source);
  if (!(packed instanceof Uint8Array)) fail("UNSUPPORTED_DTYPE", { tensor: entry.source, detail: `HF packed weights are U8, got ${entry.sourceDtype}` });
  const [weightScale] = await checkpoint.readFloat32(entry.packed.weightScale);
  return ternaryFromPacked(entry, packed, weightScale!);
}

const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

async function configText(path: string): Promise<{ file: string; text: string }> {
  const folder = (await stat(path)).isDirectory() ? path : dirname(path);
  const file = join(folder, "config.json");
  const text = await readFile(file, "utf8").catch((cause: Error) =>
    fail("IO_ERROR", { file, detail: `the source model needs its config.json to map GGUF names to its tensors: ${cause.message}`, cause }),
  );
  return { file, text };
}

/** Resolves `nameOrPath` (folder, safetensors file or cached repo id), reads config.json and plans the tensors. */
export async function openSourceModel(nameOrPath: string, options: ResolveModelOptions = {}): Promise<SourceModel> {
  const path = await resolveModelPath(nameOrPath, options);
  const { file, text } = await configText(path);
  const spec = parseModelConfigText(text, { file });
  const checkpoint = await openCheckpoint(path);
  let byGguf: Map<string, TensorPlanEntry>;
  try {
    byGguf = new Map(planTensors(spec, checkpoint.tensors, { aliases: checkpoint.aliases }).entries.map((e) => [e.gguf, e]));
  } catch (e) {
    await checkpoint.close();
    throw e;
  }
  return {
    path,
    async expected(gguf, dims) {
      const entry = byGguf.get(gguf);
      if (!entry) fail("TENSOR_NOT_FOUND", { tensor: gguf, file: path, detail: `no tensor of the source model maps to this GGUF name (${spec.hfArchitecture}, ${spec.layers} layers)` });
      if (!sameDims(entry.dims, dims)) {
        fail("SHAPE_MISMATCH", { tensor: gguf, detail: `GGUF dims [${dims.join(", ")}], the source ${entry.source} gives [${entry.dims.join(", ")}]` });
      }
      return readSource(checkpoint, entry);
    },
    close: () => checkpoint.close(),
  };
}
