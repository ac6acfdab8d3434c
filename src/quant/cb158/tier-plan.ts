/** Fits all four tiers of a tensor, allocates them to an index budget and assembles the result. */
import { groupsIn, MAX_CAP0, TIERS, type Cb158Geometry, type Cb158Tensor } from "../../../formats/layouts/cb158-format.js";
import { indexWidth } from "../../../formats/layouts/cb158-grid.js";
import { allocateTiers, type TierCandidates } from "./allocate.js";
import type { SalientColumns } from "./salient.js";
import { fitTier, type TierFit } from "./super-block-fit.js";

export interface TierPlan {
  cap0: number;
  fits: TierFit[];
  tiers: Uint8Array;
  /** Index bits of the chosen tiers. */
  indexBits: number;
  /** Marginal distortion saved per bit (see allocateTiers). */
  lambda: number;
}

/** Largest tier-0 cap whose index width leaves at least one bit per group of room for upgrades. */
function chooseCap0(avgIndexBits: number): number {
  let cap0 = 1;
  for (let cap = 2; cap <= MAX_CAP0; cap++) if (indexWidth(cap) <= avgIndexBits - 1) cap0 = cap;
  return cap0;
}

/** The four tier fits of a tensor and their rate/distortion table (independent of the budget). */
export interface TierFits {
  cap0: number;
  fits: TierFit[];
  candidates: TierCandidates;
}

export function fitTiers(values: Float32Array, g: Cb158Geometry, omega: Float64Array, indexBudget: number): TierFits {
  const cap0 = chooseCap0(indexBudget / g.groups);
  const fits: TierFit[] = [];
  const rate = new Float64Array(g.superBlocks * TIERS);
  const distortion = new Float64Array(g.superBlocks * TIERS);
  for (let t = 0; t < TIERS; t++) {
    const fit = fitTier(values, omega, g, cap0 + t);
    fits.push(fit);
    for (let sb = 0; sb < g.superBlocks; sb++) {
      rate[sb * TIERS + t] = groupsIn(g, sb) * indexWidth(cap0 + t);
      distortion[sb * TIERS + t] = fit.distortion[sb]!;
    }
  }
  return { cap0, fits, candidates: { rate, distortion, tiers: TIERS } };
}

/** Allocates fitted tiers to an index budget; `distortion` is the total of the chosen tiers. */
export function allocatePlan(f: TierFits, g: Cb158Geometry, indexBudget: number, tensor?: string): TierPlan & { distortion: number } {
  const { tiers, lambda } = allocateTiers(f.candidates, g.superBlocks, indexBudget, tensor);
  let indexBits = 0;
  let distortion = 0;
  for (let sb = 0; sb < g.superBlocks; sb++) {
    indexBits += f.candidates.rate[sb * TIERS + tiers[sb]!]!;
    distortion += f.candidates.distortion[sb * TIERS + tiers[sb]!]!;
  }
  return { cap0: f.cap0, fits: f.fits, tiers, indexBits, lambda, distortion };
}

/** The structured tensor of a plan (no outliers yet): each super-block from its chosen tier's fit. */
export function assemble(g: Cb158Geometry, totalBytes: number, plan: TierPlan, salient: SalientColumns): Cb158Tensor {
  const indices = new Uint16Array(g.groups);
  const blockCodes = new Uint8Array(g.blocks);
  const superScales = new Uint16Array(g.superBlocks);
  for (let sb = 0, group = 0, block = 0; sb < g.superBlocks; sb++) {
    const fit = plan.fits[plan.tiers[sb]!]!;
    const groups = groupsIn(g, sb);
    indices.set(fit.indices.subarray(group, group + groups), group);
    blockCodes.set(fit.blockCodes.subarray(block, block + groups / 4), block);
    superScales[sb] = fit.superScales[sb]!;
    group += groups;
    block += groups / 4;
  }
  return {
    shape: [g.rows, g.cols],
    totalBytes,
    cap0: plan.cap0,
    tiers: plan.tiers,
    superScales,
    blockCodes,
    indices,
    salientColumns: salient.columns,
    salientScales: salient.scales,
    salientCodes: salient.codes,
    outlierIndex: new Uint32Array(0),
    outlierValues: new Uint16Array(0),
  };
}
