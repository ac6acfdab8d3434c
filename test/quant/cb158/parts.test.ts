import { describe, expect, it } from "vitest";
import { GRID_PREFIX, gridTables, indexWidth } from "../../../formats/layouts/cb158-grid.js";
import { allocateTiers } from "../../../src/quant/cb158/allocate.js";
import { searchGroup, type GroupCode } from "../../../src/quant/cb158/group-code.js";
import { selectOutliers } from "../../../src/quant/cb158/outliers.js";
import { randomMatrix } from "./helpers.js";

describe("cb158 grid", () => {
  it("orders all 6561 ternary 8-vectors by (non-zeros, base-3 value)", () => {
    const { codes, rank } = gridTables();
    const seen = new Set<string>();
    let previous = [-1, -1];
    for (let i = 0; i < 6561; i++) {
      const c = [...codes.subarray(i * 8, i * 8 + 8)];
      seen.add(c.join());
      const key = [c.filter((x) => x !== 0).length, c.reduce((v, x, j) => v + (x + 1) * 3 ** j, 0)];
      expect(key[0]! > previous[0]! || (key[0] === previous[0] && key[1]! > previous[1]!)).toBe(true);
      expect(rank[key[1]!]).toBe(i);
      previous = key;
    }
    expect(seen.size).toBe(6561);
    expect(GRID_PREFIX).toEqual([1, 17, 129, 577, 1697, 3489, 5281, 6305, 6561]);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(indexWidth)).toEqual([5, 8, 10, 11, 12, 13, 13, 13]);
  });
});

describe("cb158 group search", () => {
  it("finds the minimum weighted error over the whole tier prefix (brute force)", () => {
    const { codes } = gridTables();
    const w = randomMatrix(1, 8 * 40, 9);
    const omega = Float64Array.from(randomMatrix(1, 8, 4), (x) => Math.abs(x) * 20 + 0.1);
    const out: GroupCode = { index: 0, wc: 0, cc: 0, error: 0 };
    for (let g = 0; g < 40; g++) {
      for (const cap of [1, 3, 5, 8]) {
        const s = 0.04 + 0.002 * g;
        searchGroup(w, g * 8, omega, 0, s, cap, out);
        let best = Infinity;
        for (let i = 0; i < GRID_PREFIX[cap]!; i++) {
          let e = 0;
          for (let j = 0; j < 8; j++) e += omega[j]! * (w[g * 8 + j]! - s * codes[i * 8 + j]!) ** 2;
          best = Math.min(best, e);
        }
        let mine = 0;
        for (let j = 0; j < 8; j++) mine += omega[j]! * (w[g * 8 + j]! - s * codes[out.index * 8 + j]!) ** 2;
        expect(out.index).toBeLessThan(GRID_PREFIX[cap]!);
        expect(mine).toBeCloseTo(best, 12);
        expect(out.error).toBeCloseTo(mine, 12);
      }
    }
  });
});

describe("cb158 tier allocation", () => {
  it("follows each super-block's convex hull, best saving per bit first, within budget", () => {
    // Two super-blocks, rates 0/10/20/30 bits. sb0 saves 50, 5, 45 per step (tier 2 lies above
    // the chord 1→3, so its hull is 0→1→3); sb1 saves 30, 30, 1 (collinear steps are kept).
    const rate = Float64Array.of(0, 10, 20, 30, 0, 10, 20, 30);
    const distortion = Float64Array.of(100, 50, 45, 0, 100, 70, 40, 39);
    const c = { rate, distortion, tiers: 4 };
    expect([...allocateTiers(c, 2, 10).tiers]).toEqual([1, 0]); // 5 per bit beats 3 per bit
    expect([...allocateTiers(c, 2, 20).tiers]).toEqual([1, 1]);
    expect([...allocateTiers(c, 2, 30).tiers]).toEqual([1, 2]);
    // hull of sb0 is 0 → 1 → 3 (1→3 saves 2.5/bit); sb1's 2→3 saves 0.1/bit.
    expect([...allocateTiers(c, 2, 50).tiers]).toEqual([3, 2]);
    expect(allocateTiers(c, 2, 50).lambda).toBe(0.1);
    expect([...allocateTiers(c, 2, 60).tiers]).toEqual([3, 3]);
    expect(() => allocateTiers({ rate: Float64Array.of(5, 6, 7, 8), distortion, tiers: 4 }, 1, 4)).toThrow(/USAGE/);
  });
});

describe("cb158 outliers", () => {
  it("keeps the largest h·e² outside salient columns, ties to the lower index, ascending", () => {
    const w = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const approx = Float32Array.of(1, 1.5, 3, 3, 5, 5, 7.5, 8);
    // errors 0, .5, 0, 1, 0, 1, −.5, 0 on a [2, 4] tensor; column 1 salient; h = 1.
    const h = Float64Array.of(1, 1, 1, 1);
    const salient = Uint8Array.of(0, 1, 0, 0);
    const two = selectOutliers(w, approx, 4, h, salient, 2);
    expect([...two.index]).toEqual([3, 6]); // index 5 (column 1) is salient; 3 > 6 by gain
    const one = selectOutliers(w, approx, 4, Float64Array.of(1, 1, 1, 1), new Uint8Array(4), 1);
    expect([...one.index]).toEqual([3]); // 3 and 5 tie: the lower index wins
    expect([...selectOutliers(w, approx, 4, h, salient, 10).index]).toEqual([3, 6]); // only positive gains
    expect([...selectOutliers(w, approx, 4, h, new Uint8Array(4), 10).index]).toEqual([1, 3, 5, 6]);
  });
});
