/**
 * The learned-table candidate of a tensor (payload version 2): one nested table is learned over a
 * ladder of up to four index widths, every group is coded against each prefix, and then every
 * (tier-0 width w0, tier count T) the ladder allows is allocated to the index budget left after
 * paying for its table (2^(w0+T−1) entries); the least distortion wins. Table bits are paid out of
 * the same budget as the grid's indices, so the comparison with the grid is at equal bytes.
 */
import { groupsIn, type Cb158Geometry } from "../../../formats/layouts/cb158-format.js";
import { GROUP, indexWidth } from "../../../formats/layouts/cb158-grid.js";
import { learnedTableBytes, learnedValues, MAX_TABLE_WIDTH, type LearnedCodebook } from "../../../formats/layouts/cb158-table.js";
import { allocateTiers } from "./allocate.js";
import { learnTable } from "./learn-table.js";
import { blockScales, fitLevels, gridSeeds, storeTable, trainingSet, type LevelFit } from "./learned-fit.js";
import type { TierFits } from "./tier-plan.js";

/** Training points per entry of the largest table (k-means runs on a sample of the groups). */
export const SAMPLE_PER_ENTRY = 32;
const LADDER = 4;

export interface LearnedPlan {
  codebook: LearnedCodebook;
  tiers: Uint8Array;
  indices: Uint16Array;
  superScales: Uint16Array;
  blockCodes: Uint8Array;
  indexBits: number;
  /** ω-weighted squared error of the chosen tiers. */
  distortion: number;
  /** Clipped blocks of the grid fit whose scales the table uses. */
  clippedBlocks: number;
}

/**
 * The ladder of widths: its top w is the widest (≤ 12, ≤ ⌊avg⌋ + 1 bits per group) whose table
 * still leaves every group w − 3 bits; undefined when not even a 2-entry table fits.
 */
function ladder(indexBudget: number, groups: number): number[] | undefined {
  for (let top = Math.min(MAX_TABLE_WIDTH, Math.floor(indexBudget / groups) + 1); top >= 1; top--) {
    if (indexBudget - 8 * learnedTableBytes(top, 1) >= groups * Math.max(1, top - LADDER + 1)) {
      const low = Math.max(1, top - LADDER + 1);
      return Array.from({ length: top - low + 1 }, (_, i) => low + i);
    }
  }
  return undefined;
}

/** Best allocation over (w0, T) on the ladder; undefined if none fits. */
function chooseShape(levels: LevelFit[], widths: number[], g: Cb158Geometry, indexBudget: number, tensor?: string) {
  let best: { width0: number; levels: number; tiers: Uint8Array; bits: number; distortion: number } | undefined;
  for (let first = 0; first < widths.length; first++) {
    for (let count = 1; count <= widths.length - first; count++) {
      const width0 = widths[first]!;
      const budget = indexBudget - 8 * learnedTableBytes(width0, count);
      const rate = new Float64Array(g.superBlocks * count);
      const distortion = new Float64Array(g.superBlocks * count);
      let tierZero = 0;
      for (let sb = 0; sb < g.superBlocks; sb++) {
        for (let t = 0; t < count; t++) {
          rate[sb * count + t] = groupsIn(g, sb) * (width0 + t);
          distortion[sb * count + t] = levels[first + t]!.distortion[sb]!;
        }
        tierZero += rate[sb * count]!;
      }
      if (tierZero > budget) continue;
      const { tiers } = allocateTiers({ rate, distortion, tiers: count }, g.superBlocks, budget, tensor);
      let bits = 0;
      let total = 0;
      for (let sb = 0; sb < g.superBlocks; sb++) {
        bits += rate[sb * count + tiers[sb]!]!;
        total += distortion[sb * count + tiers[sb]!]!;
      }
      if (!best || total < best.distortion) best = { width0, levels: count, tiers, bits, distortion: total };
    }
  }
  return best;
}

/** The learned candidate at `indexBudget` bits for indices and table together, on the scales of a grid fit. */
export function planLearned(values: Float32Array, g: Cb158Geometry, omega: Float64Array, grid: TierFits, indexBudget: number, tensor?: string): LearnedPlan | undefined {
  const widths = ladder(indexBudget, g.groups);
  if (!widths) return undefined;
  // Scales of the grid tier whose width is nearest the budget's bits per group (ties: the lower tier).
  const target = Math.floor(indexBudget / g.groups);
  let source = 0;
  for (let t = 1; t < grid.fits.length; t++) if (Math.abs(indexWidth(grid.cap0 + t) - target) < Math.abs(indexWidth(grid.cap0 + source) - target)) source = t;
  const fit = grid.fits[source]!;
  const scales = blockScales(fit);
  const sizes = widths.map((w) => 2 ** w);
  const set = trainingSet(values, g, omega, scales, SAMPLE_PER_ENTRY * sizes[sizes.length - 1]!);
  const stored = storeTable(learnTable(set, sizes, gridSeeds(set)));
  const table = learnedValues({ width0: widths[0]!, levels: widths.length, ...stored });
  const levels = fitLevels(values, g, omega, scales, table, sizes);
  const shape = chooseShape(levels, widths, g, indexBudget, tensor);
  if (!shape) return undefined;
  const first = widths.indexOf(shape.width0);
  const indices = new Uint16Array(g.groups);
  for (let sb = 0, group = 0; sb < g.superBlocks; sb++) {
    const end = group + groupsIn(g, sb);
    indices.set(levels[first + shape.tiers[sb]!]!.indices.subarray(group, end), group);
    group = end;
  }
  const entries = stored.entries.slice(0, GROUP * 2 ** (shape.width0 + shape.levels - 1));
  return {
    codebook: { width0: shape.width0, levels: shape.levels, step: stored.step, entries },
    tiers: shape.tiers,
    indices,
    superScales: fit.superScales,
    blockCodes: fit.blockCodes,
    indexBits: shape.bits,
    distortion: shape.distortion,
    clippedBlocks: fit.clippedBlocks,
  };
}
