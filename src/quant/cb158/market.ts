/**
 * Salient columns and outliers bought in the same market as tier upgrades (cb158.md §8): a trial
 * allocation on a row sample gives the price λ of a bit (distortion saved by the last tier upgrade
 * taken); a column is kept at 4 bits when its error drop exceeds λ × its bits, and outlier bytes are
 * reserved for every residual whose gain exceeds λ × 48 bits. Measured on TinyStories: with flat h
 * neither pays and the market buys (almost) none; with a few hot columns it buys those columns.
 */
import { f16BitsToF32, f32ToF16Bits } from "../../core/half.js";
import { cb158BudgetBytes, cb158Geometry, fixedSectionBytes, SALIENT_CHUNK, salientColumnBytes, type Cb158Geometry } from "../../../formats/layouts/cb158-format.js";
import { reconstructBase } from "./reconstruct.js";
import { quantizeSalient } from "./salient.js";
import { allocatePlan, assemble, fitTiers } from "./tier-plan.js";

const SAMPLE_ROWS = 256;
const MAX_SALIENT_FRACTION = 0.05;
/** Salient columns may take at most this share of the tensor's bytes. */
const MAX_SALIENT_SHARE = 0.1;
const MAX_OUTLIER_FRACTION = 0.01;
const OUTLIER_BITS = 48;

export interface Extras {
  salientColumns: Uint32Array;
  outlierReserve: number;
}

const NONE = { columns: new Uint32Array(0), scales: new Uint16Array(0), codes: new Int8Array(0) };

/** Evenly spaced rows (row ⌊r·M/m⌋ for r < m), at most SAMPLE_ROWS of them. */
function sampleRows(values: Float32Array, g: Cb158Geometry): Float32Array {
  const rows = Math.min(g.rows, SAMPLE_ROWS);
  const out = new Float32Array(rows * g.cols);
  for (let r = 0; r < rows; r++) {
    const src = Math.floor((r * g.rows) / rows) * g.cols;
    out.set(values.subarray(src, src + g.cols), r * g.cols);
  }
  return out;
}

/** Price multipliers tried: extras are bought when their gain per bit exceeds μ·λ. */
const MULTIPLIERS = [1, 1.5, 2, 3, 5, 8, Infinity];

/**
 * Buying extras shrinks the tier budget and so raises λ; instead of trusting the first price, each
 * multiplier's purchase is re-allocated against the same tier fits and the lowest total distortion
 * (tiers + residual errors of what was bought) wins. μ = ∞ (buy nothing) is always a candidate.
 */
export function priceExtras(values: Float32Array, g: Cb158Geometry, h: Float64Array, bpw: number, tensor?: string): Extras {
  const sample = sampleRows(values, g);
  const rows = sample.length / g.cols;
  const sg = cb158Geometry([rows, g.cols]);
  const budget = cb158BudgetBytes([rows, g.cols], bpw);
  const indexBudget = 8 * (budget - fixedSectionBytes(sg, 0, 0));
  const fits = fitTiers(sample, sg, h, indexBudget);
  const plan = allocatePlan(fits, sg, indexBudget, tensor);
  const base = reconstructBase(assemble(sg, budget, plan, NONE));
  const price = plan.lambda;

  const all = quantizeSalient(sample, rows, g.cols, Uint32Array.from({ length: g.cols }, (_, j) => j));
  const columnGain = new Float64Array(g.cols);
  const outlierGain = new Float64Array(sample.length);
  const chunks = Math.ceil(rows / SALIENT_CHUNK);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < g.cols; j++) {
      const at = i * g.cols + j;
      const e = sample[at]! - base[at]!;
      const e4 = sample[at]! - Math.fround(all.codes[j * rows + i]! * f16BitsToF32(all.scales[j * chunks + Math.floor(i / SALIENT_CHUNK)]!));
      const r = e - f16BitsToF32(f32ToF16Bits(e));
      columnGain[j] = columnGain[j]! + h[j]! * (e * e - e4 * e4);
      outlierGain[at] = h[j]! * (e * e - r * r);
    }
  }
  const columnBits = 4 * rows + 16 * chunks + 8 * salientColumnBytes(g.cols);
  const fullColumnBytes = (4 * g.rows + 16 * Math.ceil(g.rows / SALIENT_CHUNK)) / 8 + salientColumnBytes(g.cols);
  const limit = Math.min(Math.floor(MAX_SALIENT_FRACTION * g.cols), Math.floor((MAX_SALIENT_SHARE * cb158BudgetBytes([g.rows, g.cols], bpw)) / fullColumnBytes));
  const byGain = Array.from({ length: g.cols }, (_, j) => j).sort((a, b) => columnGain[b]! - columnGain[a]! || a - b);
  let tierZero = 0;
  for (let sb = 0; sb < sg.superBlocks; sb++) tierZero += fits.candidates.rate[sb * fits.candidates.tiers]!;

  let best: { columns: number[]; outliers: number; distortion: number } | undefined;
  for (const mu of MULTIPLIERS) {
    const columns = byGain.filter((j) => columnGain[j]! > mu * price * columnBits).slice(0, limit);
    const isSalient = new Uint8Array(g.cols);
    let saved = 0;
    for (const j of columns) {
      isSalient[j] = 1;
      saved += columnGain[j]!;
    }
    let outliers = 0;
    for (let at = 0; at < sample.length; at++) {
      if (!isSalient[at % g.cols] && outlierGain[at]! > mu * price * OUTLIER_BITS) {
        outliers++;
        saved += outlierGain[at]!;
      }
    }
    const left = indexBudget - columns.length * columnBits - outliers * OUTLIER_BITS;
    if (left < tierZero) continue;
    const distortion = allocatePlan(fits, sg, left, tensor).distortion - saved;
    if (!best || distortion < best.distortion) best = { columns, outliers, distortion };
  }
  const chosen = best ?? { columns: [], outliers: 0 };
  const reserve = Math.min(Math.floor(MAX_OUTLIER_FRACTION * g.rows * g.cols), Math.round((chosen.outliers * g.rows) / rows));
  return { salientColumns: Uint32Array.from(chosen.columns).sort(), outlierReserve: reserve };
}
