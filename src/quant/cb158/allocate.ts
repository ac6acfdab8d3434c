/**
 * Rate–distortion tier allocation within one tensor's bit budget: every super-block starts at tier
 * 0; upgrades along each super-block's lower convex hull of (bits, distortion) are taken greedily in
 * order of distortion saved per bit, skipping any that no longer fit, until none does (cb158.md §8:
 * the greedy pass equals the Lagrangian choice on a convex hull and lands within one step of the budget).
 */
import { fail } from "../../core/errors.js";

export interface TierCandidates {
  /** Index bits per super-block at each tier: rate[sb·T + t]. */
  rate: Float64Array;
  /** Distortion per super-block at each tier: distortion[sb·T + t]. */
  distortion: Float64Array;
  tiers: number;
}

interface Step {
  sb: number;
  from: number;
  to: number;
  cost: number;
  slope: number;
}

/** Steps along one super-block's lower convex hull of (rate, distortion), starting at tier 0. */
function hullSteps(c: TierCandidates, sb: number, steps: Step[]): void {
  const T = c.tiers;
  const r = (t: number) => c.rate[sb * T + t]!;
  const d = (t: number) => c.distortion[sb * T + t]!;
  const hull: number[] = [0];
  for (let t = 1; t < T; t++) {
    if (d(t) >= d(hull[hull.length - 1]!)) continue; // no improvement
    while (hull.length >= 2 && r(t) === r(hull[hull.length - 1]!)) hull.pop(); // same rate, worse
    while (hull.length >= 2) {
      const last = hull[hull.length - 1]!;
      const prev = hull[hull.length - 2]!;
      // Convex while the saving per bit does not increase: drop `last` only if last→t saves more
      // per bit than prev→last (equal savings keep both points: finer steps for the same price).
      if ((d(last) - d(t)) * (r(last) - r(prev)) <= (d(prev) - d(last)) * (r(t) - r(last))) break;
      hull.pop();
    }
    hull.push(t);
  }
  for (let i = 1; i < hull.length; i++) {
    const from = hull[i - 1]!;
    const to = hull[i]!;
    const cost = r(to) - r(from);
    const gain = d(from) - d(to);
    steps.push({ sb, from, to, cost, slope: cost > 0 ? gain / cost : Infinity });
  }
}

export interface Allocation {
  tiers: Uint8Array;
  /**
   * The market price λ of a bit: distortion saved per bit by the best upgrade the budget could not
   * afford (0 when every upgrade fit).
   */
  lambda: number;
}

/** Chooses a tier per super-block with Σ rate ≤ budgetBits; throws USAGE if tier 0 alone exceeds it. */
export function allocateTiers(c: TierCandidates, superBlocks: number, budgetBits: number, tensor?: string): Allocation {
  const tiers = new Uint8Array(superBlocks);
  let used = 0;
  for (let sb = 0; sb < superBlocks; sb++) used += c.rate[sb * c.tiers]!;
  if (used > budgetBits) {
    fail("USAGE", { tensor, detail: `CB158 target too low: the cheapest tier needs ${used} index bits, ${Math.max(0, budgetBits)} are left` });
  }
  const steps: Step[] = [];
  for (let sb = 0; sb < superBlocks; sb++) hullSteps(c, sb, steps);
  steps.sort((a, b) => b.slope - a.slope || a.sb - b.sb || a.from - b.from);
  let lambda = -1;
  for (const step of steps) {
    if (tiers[step.sb] !== step.from) continue;
    if (used + step.cost > budgetBits) {
      if (lambda < 0) lambda = step.slope;
      continue;
    }
    tiers[step.sb] = step.to;
    used += step.cost;
  }
  return { tiers, lambda: Math.max(lambda, 0) };
}
