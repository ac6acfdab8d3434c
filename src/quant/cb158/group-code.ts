/**
 * Exact importance-weighted code search for one 8-weight group against the nested ternary grid:
 * for a fixed scale s the error Σ ω_j (w_j − s·c_j)² drops by g_j = ω_j·s·(2|w_j| − s) when c_j =
 * sign(w_j), so the best code with at most m non-zeros keeps the m largest positive gains.
 */
import { GROUP, gridTables } from "../../../formats/layouts/cb158-grid.js";

const gains = new Float64Array(GROUP);
const sorted = new Float64Array(GROUP);
const order = new Int32Array(GROUP);
const POW3 = [1, 3, 9, 27, 81, 243, 729, 2187];
const rank = gridTables().rank;

export interface GroupCode {
  /** Grid index of the chosen codeword. */
  index: number;
  /** Σ ω_j w_j c_j and Σ ω_j c_j² of the chosen code (for the least-squares scale). */
  wc: number;
  cc: number;
  /** Weighted error Σ ω_j (w_j − s c_j)². */
  error: number;
}

/** Searches the group `w[at…at+8)` with weights `omega[omegaAt…+8)`; writes into `out`. */
export function searchGroup(
  w: Float32Array,
  at: number,
  omega: Float64Array,
  omegaAt: number,
  s: number,
  cap: number,
  out: GroupCode,
): void {
  let total = 0;
  let positive = 0;
  for (let j = 0; j < GROUP; j++) {
    const x = w[at + j]!;
    const o = omega[omegaAt + j]!;
    total += o * x * x;
    const g = o * s * (2 * Math.abs(x) - s);
    gains[j] = g;
    if (g > 0) positive++;
  }
  let v = 3280; // all zeros: Σ 1·3^j
  let wc = 0;
  let cc = 0;
  let gained = 0;
  if (positive <= cap) {
    // Every positive gain fits under the cap: no ranking needed (the common case).
    for (let j = 0; j < GROUP; j++) {
      if (!(gains[j]! > 0)) continue;
      const x = w[at + j]!;
      const o = omega[omegaAt + j]!;
      v += x > 0 ? POW3[j]! : -POW3[j]!;
      wc += o * Math.abs(x);
      cc += o;
      gained += gains[j]!;
    }
  } else {
    // Rank by gain (descending; equal gains keep the lower position first) and keep `cap`.
    for (let j = 0; j < GROUP; j++) {
      const g = gains[j]!;
      let k = j;
      while (k > 0 && sorted[k - 1]! < g) {
        sorted[k] = sorted[k - 1]!;
        order[k] = order[k - 1]!;
        k--;
      }
      sorted[k] = g;
      order[k] = j;
    }
    for (let k = 0; k < cap; k++) {
      const j = order[k]!;
      const x = w[at + j]!;
      const o = omega[omegaAt + j]!;
      v += x > 0 ? POW3[j]! : -POW3[j]!;
      wc += o * Math.abs(x);
      cc += o;
      gained += sorted[k]!;
    }
  }
  out.index = rank[v]!;
  out.wc = wc;
  out.cc = cc;
  out.error = total - gained;
}
