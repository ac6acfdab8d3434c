/**
 * CB158 importance vectors: from an imatrix file (readImatrix), collected on the original model
 * over a calibration text (collectImatrix), or none (flat ones, with a warning). Checked against
 * every CB158 tensor up front, before anything is written.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { collectImatrix } from "../api/calibrate.js";
import { fail } from "../core/errors.js";
import { imatrixFor, readImatrix, requireImatrix, type ImatrixTarget, type ImportanceMatrix } from "../quant/imatrix/index.js";
import type { ImportanceSource } from "./options.js";
import type { ModelSource } from "./source.js";
import { stage, type Stage } from "./stages.js";
import type { ConversionPlan, PlannedTensor, TensorJob } from "./types.js";

export const FLAT_IMPORTANCE_WARNING =
  "cb158 without imatrix or calib: every input column counts the same (flat importance); give --calib <text> or --imatrix <file> for better quality";

const imatrixTarget = (t: PlannedTensor): ImatrixTarget => ({ gguf: t.name, source: t.source, dims: t.dims });

export interface LoadedImportance {
  matrix: ImportanceMatrix | undefined;
  warnings: string[];
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    return fail("IO_ERROR", { file: path, detail: `cannot read the calibration text: ${(e as Error).message}` });
  }
}

/** The importance matrix for `plan`'s CB158 tensors (undefined when flat). */
export async function loadImportance(from: ImportanceSource, source: ModelSource, plan: ConversionPlan): Promise<LoadedImportance> {
  if (from.kind === "flat") return { matrix: undefined, warnings: [FLAT_IMPORTANCE_WARNING] };
  const matrix =
    from.kind === "imatrix"
      ? await readImatrix(from.path)
      : await collectImatrix({ model: source.folder, text: await readText(from.path), datasets: [basename(from.path)] });
  requireImatrix(matrix, plan.tensors.filter((t) => t.cb158).map(imatrixTarget));
  return { matrix, warnings: [] };
}

/** A stage attaching each CB158 tensor's importance vector h to its job. */
export function attachImportance(matrix: ImportanceMatrix | undefined): Stage<TensorJob, TensorJob> {
  return stage((job: TensorJob) => (matrix && job.tensor.cb158 ? { ...job, importance: imatrixFor(matrix, imatrixTarget(job.tensor)) } : job));
}
