/**
 * CB158 quantizer for one [M, K] linear weight: salient columns and an outlier reserve priced on a
 * row sample, per-tier super-block fits, tier allocation to the exact byte budget of the target bpw,
 * then sparse outliers with every byte left. Deterministic: no randomness, fixed iteration counts,
 * stable tie-breaks everywhere.
 */
import { fail } from "../../core/errors.js";
import { cb158BudgetBytes, cb158Geometry, DEFAULT_BPW, fixedSectionBytes, type Cb158Geometry, type Cb158Tensor } from "../../../formats/layouts/cb158-format.js";
import { indexWidth } from "../../../formats/layouts/cb158-grid.js";
import { flooredImportance } from "./importance.js";
import { priceExtras } from "./market.js";
import { selectOutliers } from "./outliers.js";
import { applyOutliers, reconstructBase } from "./reconstruct.js";
import { quantizeSalient, selectSalientColumns } from "./salient.js";
import { assemble, planTiers } from "./tier-plan.js";

export interface Cb158Options {
  /** Target bits per weight over the whole packed tensor (default 1.58). */
  bpw?: number;
  /** Per-input-column mean of x² (length K); all ones when absent. */
  importance?: Float32Array;
  /** Fixed fraction of input columns kept as 4-bit salient columns; default: priced by the market. */
  salientFraction?: number;
  /** Fixed fraction of weights whose outlier bytes are reserved before tiers; default: priced. */
  outlierFraction?: number;
  tensor?: string;
}

export interface Cb158Stats {
  /** Every stored bit by section; their sum is the packed size · 8. */
  bits: { fixed: number; indices: number; salient: number; outliers: number; padding: number };
  bitsPerWeight: number;
  tierHistogram: number[];
  /** Index width of each tier. */
  tierWidths: number[];
  clippedBlocks: number;
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

export function quantizeCb158(values: Float32Array, shape: readonly number[], options: Cb158Options = {}): Cb158Result {
  const { tensor } = options;
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

  const indexBudget = 8 * (totalBytes - fixedSectionBytes(g, columns.length, reserve));
  const plan = planTiers(values, g, omega, Math.max(indexBudget, 0), tensor);
  const q = assemble(g, totalBytes, plan, salient);
  const base = reconstructBase(q);
  const left = totalBytes - fixedSectionBytes(g, columns.length, 0) - Math.ceil(plan.indexBits / 8);
  const outliers = selectOutliers(values, base, g.cols, h, isSalient, Math.floor(left / 6));
  q.outlierIndex = outliers.index;
  q.outlierValues = outliers.values;
  const reconstruction = applyOutliers(q, base);

  const fixed = 8 * fixedSectionBytes(g, 0, 0);
  const salientBits = 8 * (fixedSectionBytes(g, columns.length, 0) - fixedSectionBytes(g, 0, 0));
  const outlierBits = 48 * outliers.index.length;
  const indices = 8 * Math.ceil(plan.indexBits / 8);
  const tierHistogram = [0, 0, 0, 0];
  for (const t of plan.tiers) tierHistogram[t]!++;
  return {
    tensor: q,
    reconstruction,
    stats: {
      bits: { fixed, indices, salient: salientBits, outliers: outlierBits, padding: 8 * totalBytes - fixed - indices - salientBits - outlierBits },
      bitsPerWeight: (8 * totalBytes) / (g.rows * g.cols),
      tierHistogram,
      tierWidths: [0, 1, 2, 3].map((t) => indexWidth(plan.cap0 + t)),
      clippedBlocks: plan.fits.reduce((n, fit, t) => n + (tierHistogram[t] ? fit.clippedBlocks : 0), 0),
    },
  };
}
