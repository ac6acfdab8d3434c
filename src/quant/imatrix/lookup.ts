/**
 * Finding a weight's importance vector h (length K = in_features) by its GGUF name. Plan entries
 * (`TensorPlanEntry` from src/model) carry the HF source name, the GGUF name and the GGUF dims
 * (ne0 = K). The q/k permutation reorders rows, never input columns, so h needs no permuting.
 */
import { fail } from "../../core/errors.js";
import type { ImportanceMatrix } from "./types.js";

/** What lookup needs of a plan entry; `TensorPlanEntry` fits. */
export interface ImatrixTarget {
  readonly gguf: string;
  readonly source: string;
  /** GGUF dims, ne0 (= K, the input width) first. */
  readonly dims: readonly number[];
}

const SHOWN = 8;

function listed(names: readonly string[]): string {
  return names.slice(0, SHOWN).map((n) => `'${n}'`).join(", ") + (names.length > SHOWN ? `, ... (${names.length} in all)` : "");
}

function origin(m: ImportanceMatrix): string {
  return m.provenance.sourceFile === undefined ? "the collected importance matrix" : `imatrix ${m.provenance.sourceFile}`;
}

/** h for `target`: TENSOR_NOT_FOUND if the matrix lacks it, SHAPE_MISMATCH if its length is not K. */
export function imatrixFor(m: ImportanceMatrix, target: ImatrixTarget): Float32Array {
  const entry = m.entries.get(target.gguf);
  if (entry === undefined) {
    fail("TENSOR_NOT_FOUND", {
      tensor: target.gguf,
      file: m.provenance.sourceFile,
      detail: `${origin(m)} has no entry for '${target.gguf}' (source '${target.source}'); it has ${m.entries.size}: ${listed([...m.entries.keys()])}`,
    });
  }
  const k = target.dims[0];
  if (entry.matrices !== 1 || entry.mean.length !== k) {
    fail("SHAPE_MISMATCH", {
      tensor: target.gguf,
      file: m.provenance.sourceFile,
      detail: `importance vector has ${entry.matrices} × ${entry.columns} values, the weight has K = ${k} input columns`,
    });
  }
  return entry.mean;
}

/** h for the plan entry whose HF source is `source`. */
export function imatrixForSource(m: ImportanceMatrix, plan: readonly ImatrixTarget[], source: string): Float32Array {
  const target = plan.find((e) => e.source === source) ?? fail("TENSOR_NOT_FOUND", { tensor: source, detail: `'${source}' is not in the tensor plan` });
  return imatrixFor(m, target);
}

/** GGUF names among `targets` with no entry in `m`, in plan order. */
export function missingImatrixNames(m: ImportanceMatrix, targets: readonly ImatrixTarget[]): string[] {
  return targets.filter((t) => !m.entries.has(t.gguf)).map((t) => t.gguf);
}

/**
 * Checks up front that every target has an h of the right length, naming all missing weights in
 * one error (llama-imatrix leaves out output.weight unless run with --process-output).
 */
export function requireImatrix(m: ImportanceMatrix, targets: readonly ImatrixTarget[]): void {
  const missing = missingImatrixNames(m, targets);
  if (missing.length > 0) {
    fail("TENSOR_NOT_FOUND", {
      tensor: missing[0],
      file: m.provenance.sourceFile,
      detail: `${origin(m)} lacks ${missing.length} of the ${targets.length} weights to quantize: ${listed(missing)}`,
    });
  }
  for (const t of targets) imatrixFor(m, t);
}
