/**
 * CB158 quantizer for one [M, K] linear weight: salient columns and an outlier reserve priced on a
 * row sample, per-tier super-block fits, tier allocation to the exact byte budget of the target bpw,
 * then sparse outliers with every byte left. The groups are coded against the built-in ternary grid
 * and (codebook "auto" or "learned") against a table learned on this tensor, its bits paid from the
 * same budget; the codebook of lower Σ h (W − Ŵ)² is kept. Deterministic: seeded k-means, fixed
 * iteration counts, stable tie-breaks everywhere.
 */
import { fail } from "../../core/errors.js";
import { cb158BudgetBytes, cb158Geometry, DEFAULT_BPW, fixedSectionBytes, tableBytesOf, TIERS, type Cb158Geometry, type Cb158Tensor } from "../../../formats/layouts/cb158-format.js";
import { codebookView } from "../../../formats/layouts/cb158-table.js";
import { flooredImportance, weightedSquaredError } from "./importance.js";
import { planLearned } from "./learned-plan.js";
import { priceExtras } from "./market.js";
import { selectOutliers } from "./outliers.js";
import { applyOutliers, reconstructBase } from "./reconstruct.js";
import { quantizeSalient, selectSalientColumns } from "./salient.js";
import { allocatePlan, assemble, fitTiers } from "./tier-plan.js";

export interface Cb158Options {
  /** Target bits per weight over the whole packed tensor (default 1.58). */
  bpw?: number;
  /** Per-input-column mean of x² (length K); all ones when absent. */
  importance?: Float32Array;
  /** Fixed fraction of input columns kept as 4-bit salient columns; default: priced by the market. */
  salientFraction?: number;
  /** Fixed fraction of weights whose outlier bytes are reserved before tiers; default: priced. */
  outlierFraction?: number;
  /**
   * "grid": the built-in ternary grid (payload version 1); "learned": a table learned on this tensor
   * and stored in it (version 2); "auto" (default): both, keeping the one of lower Σ h (W − Ŵ)² at
   * the same byte budget (ties: the grid).
   */
  codebook?: "auto" | "grid" | "learned";
  tensor?: string;
}

export interface Cb158Stats {
  /** Every stored bit by section (codebook: the learned table, 0 for the grid); their sum is the packed size · 8. */
  bits: { fixed: number; codebook: number; indices: number; salient: number; outliers: number; padding: number };
  bitsPerWeight: number;
  tierHistogram: number[];
  /** Index width of each tier (a learned table: of each tier in use). */
  tierWidths: number[];
  clippedBlocks: number;
  /** Which codebook the tensor is stored with. */
  codebook: "grid" | "learned";
  /** Entries of the stored learned table (0 for the grid). */
  codebookEntries: number;
  /** ε_h (floored h) of each candidate tried; `learned` absent when not tried or no table fits. */
  codebookErrors: { grid: number; learned?: number };
}

export interface Cb158Result {
  tensor: Cb158Tensor;
  /** Ŵ as the decoder will produce it. */
  reconstruction: Float32Array;
  stats: Cb158Stats;
}

function validate(values: Float32Array, g: Cb158Geometry, tensor?: string): void {
  if (values.length !== g.rows * g.cols) fail("SHAPE_MISMATCH", { tensor, detail: `${values.length} values for [${g.rows}, ${g.cols}]` });
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) fail("NON_FINITE", { tensor, detail: `element ${i} is ${values[i]}` });
  }
}

/** Salient columns and outlier reserve: fixed fractions when given, else priced on a row sample. */
function chooseExtras(values: Float32Array, g: Cb158Geometry, h: Float64Array, bpw: number, options: Cb158Options) {
  const priced = options.salientFraction === undefined || options.outlierFraction === undefined ? priceExtras(values, g, h, bpw, options.tensor) : undefined;
  const fraction = options.salientFraction;
  const columns =
    fraction === undefined
      ? priced!.salientColumns
      : selectSalientColumns(values, g.rows, g.cols, h, fraction > 0 ? Math.min(g.cols, Math.max(1, Math.round(fraction * g.cols))) : 0);
  const reserve = options.outlierFraction === undefined ? priced!.outlierReserve : Math.floor(options.outlierFraction * g.rows * g.cols);
  return { columns, reserve };
}

/** A codebook's finished tensor: base coding plus outliers bought with every byte left. */
interface Candidate {
  tensor: Cb158Tensor;
  reconstruction: Float32Array;
  indexBits: number;
  /** Σ h_j (W − Ŵ)² over the whole tensor. */
  distortion: number;
  /** Blocks whose scale clipped at the 4-bit range, in the tiers used. */
  clippedBlocks: number;
}

function finish(q: Cb158Tensor, indexBits: number, clippedBlocks: number, values: Float32Array, g: Cb158Geometry, h: Float64Array, isSalient: Uint8Array): Candidate {
  const base = reconstructBase(q);
  const left = q.totalBytes - fixedSectionBytes(g, q.salientColumns.length, 0, tableBytesOf(q)) - Math.ceil(indexBits / 8);
  const outliers = selectOutliers(values, base, g.cols, h, isSalient, Math.floor(left / 6));
  q.outlierIndex = outliers.index;
  q.outlierValues = outliers.values;
  const reconstruction = applyOutliers(q, base);
  return { tensor: q, reconstruction, indexBits, distortion: weightedSquaredError(values, reconstruction, g.cols, h), clippedBlocks };
}

export function quantizeCb158(values: Float32Array, shape: readonly number[], options: Cb158Options = {}): Cb158Result {
  const { tensor } = options;
  const codebook = options.codebook ?? "auto";
  const g = cb158Geometry(shape);
  validate(values, g, tensor);
  const bpw = options.bpw ?? DEFAULT_BPW;
  const totalBytes = cb158BudgetBytes(shape, bpw);
  const h = flooredImportance(g.cols, options.importance, tensor);
  const { columns, reserve } = chooseExtras(values, g, h, bpw, options);
  const salient = quantizeSalient(values, g.rows, g.cols, columns);
  const omega = Float64Array.from(h);
  const isSalient = new Uint8Array(g.cols);
  for (const col of columns) {
    omega[col] = 0;
    isSalient[col] = 1;
  }

  const indexBudget = Math.max(0, 8 * (totalBytes - fixedSectionBytes(g, columns.length, reserve)));
  const fits = fitTiers(values, g, omega, indexBudget);
  const plan = allocatePlan(fits, g, indexBudget, tensor);
  const gridClipped = plan.fits.reduce((n, fit, t) => n + (plan.tiers.includes(t) ? fit.clippedBlocks : 0), 0);
  const grid = finish(assemble(g, totalBytes, plan, salient), plan.indexBits, gridClipped, values, g, h, isSalient);
  let learned: Candidate | undefined;
  if (codebook !== "grid") {
    const lp = planLearned(values, g, omega, fits, indexBudget, tensor);
    if (lp) {
      const { codebook: table, tiers, superScales, blockCodes, indices } = lp;
      const q: Cb158Tensor = { ...assemble(g, totalBytes, plan, salient), cap0: 0, codebook: table, tiers, superScales, blockCodes, indices };
      learned = finish(q, lp.indexBits, lp.clippedBlocks, values, g, h, isSalient);
    } else if (codebook === "learned") {
      fail("USAGE", { tensor, detail: `CB158 target too low for a learned codebook on [${g.rows}, ${g.cols}]: no table fits the budget` });
    }
  }
  const chosen = learned && (codebook === "learned" || learned.distortion < grid.distortion) ? learned : grid;
  const q = chosen.tensor;

  let energy = 0;
  for (let i = 0; i < values.length; i++) energy += h[i % g.cols]! * values[i]! * values[i]!;
  const relative = (d: number) => (energy > 0 ? Math.sqrt(d / energy) : 0);
  const fixed = 8 * fixedSectionBytes(g, 0, 0);
  const codebookBits = 8 * tableBytesOf(q);
  const salientBits = 8 * (fixedSectionBytes(g, columns.length, 0) - fixedSectionBytes(g, 0, 0));
  const outlierBits = 48 * q.outlierIndex.length;
  const indices = 8 * Math.ceil(chosen.indexBits / 8);
  const tierHistogram = [0, 0, 0, 0];
  for (const t of q.tiers) tierHistogram[t]!++;
  return {
    tensor: q,
    reconstruction: chosen.reconstruction,
    stats: {
      bits: {
        fixed,
        codebook: codebookBits,
        indices,
        salient: salientBits,
        outliers: outlierBits,
        padding: 8 * totalBytes - fixed - codebookBits - indices - salientBits - outlierBits,
      },
      bitsPerWeight: (8 * totalBytes) / (g.rows * g.cols),
      tierHistogram,
      tierWidths: codebookView(q).widths.slice(0, q.codebook ? q.codebook.levels : TIERS),
      clippedBlocks: chosen.clippedBlocks,
      codebook: q.codebook ? "learned" : "grid",
      codebookEntries: q.codebook ? q.codebook.entries.length / 8 : 0,
      codebookErrors: { grid: relative(grid.distortion), learned: learned ? relative(learned.distortion) : undefined },
    },
  };
}
