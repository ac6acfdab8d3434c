/**
 * Importance-weighted k-means (Lloyd) of a nested 8-weight codebook (cb158.md §5). Training points
 * are scale-normalised groups u = w / s with weights ω_j·s² (so a point's squared distance is its
 * error in weight space). Level ℓ of the table holds the first sizes[ℓ] entries; each level keeps
 * the earlier entries fixed and learns only its new ones, so every prefix is itself a trained
 * codebook. New entries start from the grid's most used codewords (the seeds, in rank order) and,
 * when those run out, from k-means++ draws (mulberry32, fixed seed); then LLOYD_ROUNDS rounds of
 * assignment (TableSearch) and weighted centroid update. Deterministic: fixed seed, fixed rounds,
 * ties to the lower index.
 */
import { mulberry32 } from "../../core/prng.js";
import { GROUP } from "../../../formats/layouts/cb158-grid.js";
import { TableSearch } from "./table-search.js";

export const LLOYD_ROUNDS = 16;
export const KMEANS_SEED = 0x158c0de;

export interface TrainingSet {
  /** u of point i at i·8 … i·8 + 7. */
  points: Float64Array;
  /** ω_j · s² of point i, same indexing. */
  weights: Float64Array;
  count: number;
}

/** Adds entries by k-means++ (D² sampling) until `filled` reaches `target`; returns the new count. */
function seedByDistance(set: TrainingSet, table: Float64Array, filled: number, target: number, next: () => number): number {
  const { points, count } = set;
  const nearest = new Float64Array(count);
  if (filled > 0) nearestIn(set, table, 0, filled, new Int32Array(count), nearest);
  else for (let i = 0; i < count; i++) nearest[i] = distanceTo(set, i, table, -1);
  for (; filled < target; filled++) {
    let total = 0;
    for (let i = 0; i < count; i++) total += nearest[i]!;
    if (!(total > 0)) break; // every point already sits on an entry: the rest stay zero (unused)
    let r = next() * total;
    let pick = count - 1;
    for (let i = 0; i < count; i++) {
      r -= nearest[i]!;
      if (r < 0) {
        pick = i;
        break;
      }
    }
    table.set(points.subarray(pick * GROUP, pick * GROUP + GROUP), filled * GROUP);
    for (let i = 0; i < count; i++) nearest[i] = Math.min(nearest[i]!, distanceTo(set, i, table, filled));
  }
  return target;
}

/** Weighted squared distance of point i to entry k (k < 0: the zero vector). */
function distanceTo(set: TrainingSet, i: number, table: Float64Array, k: number): number {
  let e = 0;
  for (let j = 0; j < GROUP; j++) {
    const d = set.points[i * GROUP + j]! - (k < 0 ? 0 : table[k * GROUP + j]!);
    e += set.weights[i * GROUP + j]! * d * d;
  }
  return e;
}

/** The nearest of entries [from, to) for every point (global entry numbers) and its distance. */
function nearestIn(set: TrainingSet, table: Float64Array, from: number, to: number, index: Int32Array, error: Float64Array): void {
  const search = new TableSearch(table.subarray(from * GROUP), to - from);
  for (let i = 0; i < set.count; i++) {
    index[i] = from + search.nearest(set.points, i * GROUP, set.weights, i * GROUP);
    error[i] = search.error;
  }
}

/**
 * Lloyd rounds moving only entries [from, to). The frozen entries' nearest is found once; each
 * round searches the moving entries alone and keeps the better of the two (ties: the frozen one).
 * Stops early once a round assigns every point as the previous one did: the centroids it would
 * compute are the ones the table already holds (so the result is the same, only sooner).
 */
function lloyd(set: TrainingSet, table: Float64Array, from: number, to: number): void {
  const { points, weights, count } = set;
  const frozenIndex = new Int32Array(count).fill(-1);
  const frozenError = new Float64Array(count).fill(Infinity);
  if (from > 0) nearestIn(set, table, 0, from, frozenIndex, frozenError);
  const index = new Int32Array(count);
  const error = new Float64Array(count);
  const sums = new Float64Array((to - from) * GROUP);
  const mass = new Float64Array((to - from) * GROUP);
  const assigned = new Int32Array(count).fill(-2); // moving entry of each point in the last round, -1: a frozen one
  for (let round = 0; round < LLOYD_ROUNDS; round++) {
    nearestIn(set, table, from, to, index, error);
    let changed = false;
    for (let i = 0; i < count; i++) {
      const a = error[i]! < frozenError[i]! ? index[i]! : -1;
      if (a !== assigned[i]) changed = true;
      assigned[i] = a;
    }
    if (!changed) break;
    sums.fill(0);
    mass.fill(0);
    for (let i = 0; i < count; i++) {
      if (assigned[i] === -1) continue;
      const k = index[i]! - from;
      for (let j = 0; j < GROUP; j++) {
        const w = weights[i * GROUP + j]!;
        sums[k * GROUP + j]! += w * points[i * GROUP + j]!;
        mass[k * GROUP + j]! += w;
      }
    }
    for (let x = 0; x < sums.length; x++) if (mass[x]! > 0) table[from * GROUP + x] = sums[x]! / mass[x]!;
  }
}

/**
 * The nested table (sizes[last] entries, 8 values each) learned on `set`. `seeds` holds candidate
 * codewords in rank order (8 values each); a level takes the next unused ones first.
 */
export function learnTable(set: TrainingSet, sizes: readonly number[], seeds: Float64Array): Float64Array {
  const table = new Float64Array(sizes[sizes.length - 1]! * GROUP);
  const next = mulberry32(KMEANS_SEED);
  let seeded = 0;
  let filled = 0;
  for (const size of sizes) {
    const from = filled;
    const take = Math.min(size - filled, seeds.length / GROUP - seeded);
    table.set(seeds.subarray(seeded * GROUP, (seeded + take) * GROUP), filled * GROUP);
    seeded += take;
    filled += take;
    if (filled < size) filled = seedByDistance(set, table, filled, size, next);
    if (set.count > 0) lloyd(set, table, from, size);
  }
  return table;
}
