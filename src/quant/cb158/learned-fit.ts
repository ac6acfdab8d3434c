/**
 * Learned-table coding of one tensor on fixed block scales (those of a grid tier fit, so both
 * codebooks see the same normalisation and the table learns the shape the grid cannot express):
 * the training sample, the grid seeds, the int8 + f16-step storage of the learned table, and the
 * per-level fit (nearest entry of each nested prefix, exact ω-weighted error per super-block).
 */
import { f16BitsToF32, f32ToF16Bits } from "../../core/half.js";
import { roundHalfEven } from "../../core/rounding.js";
import { BLOCK_SCALE_POW } from "../../../formats/layouts/cb158-bits.js";
import { BLOCK, BLOCKS_PER_SUPER, type Cb158Geometry } from "../../../formats/layouts/cb158-format.js";
import { GRID_SIZE, GROUP, gridTables } from "../../../formats/layouts/cb158-grid.js";
import type { TrainingSet } from "./learn-table.js";
import type { TierFit } from "./super-block-fit.js";
import { TableSearch } from "./table-search.js";

/** Stored block scale of every block of a fit: float32(d · POW[k]). */
export function blockScales(fit: TierFit): Float32Array {
  const out = new Float32Array(fit.blockCodes.length);
  for (let b = 0; b < out.length; b++) out[b] = Math.fround(f16BitsToF32(fit.superScales[Math.floor(b / BLOCKS_PER_SUPER)]!) * BLOCK_SCALE_POW[fit.blockCodes[b]!]!);
  return out;
}

/**
 * Up to `limit` evenly spaced groups (group ⌊i·G/limit⌋), skipping groups with a zero scale or
 * zero total weight (their code is irrelevant).
 */
export function trainingSet(values: Float32Array, g: Cb158Geometry, omega: Float64Array, scales: Float32Array, limit: number): TrainingSet {
  const picks = Math.min(limit, g.groups);
  const points = new Float64Array(picks * GROUP);
  const weights = new Float64Array(picks * GROUP);
  let count = 0;
  for (let i = 0; i < picks; i++) {
    const group = Math.floor((i * g.groups) / picks);
    const s = scales[group >> 2]!;
    const col = (group * GROUP) % g.cols;
    let mass = 0;
    for (let j = 0; j < GROUP; j++) mass += omega[col + j]!;
    if (!(s > 0) || !(mass > 0)) continue;
    for (let j = 0; j < GROUP; j++) {
      points[count * GROUP + j] = values[group * GROUP + j]! / s;
      weights[count * GROUP + j] = omega[col + j]! * s * s;
    }
    count++;
  }
  return { points: points.subarray(0, count * GROUP), weights: weights.subarray(0, count * GROUP), count };
}

/**
 * Grid codewords ranked by how often they are the nearest ternary vector of a training point
 * (c_j = sign(u_j) where |u_j| > ½; most used first, ties to the lower grid index); unused ones left out.
 */
export function gridSeeds(set: TrainingSet): Float64Array {
  const { codes, rank } = gridTables();
  const uses = new Uint32Array(GRID_SIZE);
  for (let i = 0; i < set.count; i++) {
    let v = 0;
    for (let j = GROUP - 1; j >= 0; j--) {
      const u = set.points[i * GROUP + j]!;
      v = 3 * v + (u > 0.5 ? 2 : u < -0.5 ? 0 : 1);
    }
    uses[rank[v]!]!++;
  }
  const order = Array.from({ length: GRID_SIZE }, (_, k) => k).filter((k) => uses[k]! > 0);
  order.sort((a, b) => uses[b]! - uses[a]! || a - b);
  const out = new Float64Array(order.length * GROUP);
  order.forEach((k, n) => {
    for (let j = 0; j < GROUP; j++) out[n * GROUP + j] = codes[k * GROUP + j]!;
  });
  return out;
}

/** int8 entries and f16 step τ = the smallest power of two with max |entry| ≤ 127τ (so ±1 stays exact). */
export function storeTable(table: Float64Array): { step: number; entries: Int8Array } {
  let top = 0;
  for (let i = 0; i < table.length; i++) top = Math.max(top, Math.abs(table[i]!));
  // by comparison, not log2: a rounded log2 just above a power of two would pick a step one too small
  let step = 2 ** -24;
  while (127 * step < top && step < 2 ** 15) step *= 2;
  const entries = Int8Array.from(table, (x) => Math.max(-127, Math.min(127, roundHalfEven(x / step))));
  return { step: f32ToF16Bits(step), entries };
}

export interface LevelFit {
  indices: Uint16Array;
  /** ω-weighted squared error per super-block. */
  distortion: Float64Array;
}

/**
 * Codes every group against each nested prefix of the stored table (values q·τ) on the fixed
 * scales. Level ℓ's nearest is level ℓ−1's or the nearest of its new entries, so each level
 * searches only the entries it adds (ties: the earlier entry).
 */
export function fitLevels(values: Float32Array, g: Cb158Geometry, omega: Float64Array, scales: Float32Array, table: Float32Array, sizes: readonly number[]): LevelFit[] {
  const searches = sizes.map((size, level) => new TableSearch(table.subarray(level ? sizes[level - 1]! * GROUP : 0), size - (level ? sizes[level - 1]! : 0)));
  const fits = sizes.map(() => ({ indices: new Uint16Array(g.groups), distortion: new Float64Array(g.superBlocks) }));
  const u = new Float64Array(GROUP);
  const w = new Float64Array(GROUP);
  for (let group = 0; group < g.groups; group++) {
    const s = scales[group >> 2]!;
    const col = (group * GROUP) % g.cols;
    const at = group * GROUP;
    const sb = Math.floor(group / ((BLOCK / GROUP) * BLOCKS_PER_SUPER));
    for (let j = 0; j < GROUP; j++) {
      u[j] = s > 0 ? values[at + j]! / s : 0;
      w[j] = omega[col + j]!;
    }
    let k = 0;
    let best = Infinity;
    for (let level = 0; level < sizes.length; level++) {
      if (s > 0) {
        const search = searches[level]!;
        const candidate = search.nearest(u, 0, w, 0) + (level ? sizes[level - 1]! : 0);
        if (search.error < best) {
          best = search.error;
          k = candidate;
        }
      }
      let e = 0;
      for (let j = 0; j < GROUP; j++) {
        const d = values[at + j]! - Math.fround(table[k * GROUP + j]! * s);
        e += w[j]! * d * d;
      }
      fits[level]!.indices[group] = k;
      fits[level]!.distortion[sb]! += e;
    }
  }
  return fits;
}
