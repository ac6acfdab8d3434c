import { describe, it, expect } from "vitest";
import { torchSumF32, torchMeanF32, MEAN_ABS_FLOOR } from "../../src/quant/index.js";
import { absmeanCases, scaleColumn, firstBitMismatch } from "./golden-absmean.js";

const EPS = 2 ** -24; // half an ulp of 1.0f: 1 + EPS rounds back to 1 (tie to even)

describe("torchSumF32: order on hand-checkable runs", () => {
  it("fewer than 8 values are added left to right", () => {
    // 1 + 2^-24 = 1 (tie, even), twice; a float64 sum would give 1 + 2^-23 exactly.
    const x = Float32Array.of(1, EPS, EPS);
    expect(torchSumF32(x)).toBe(1);
    expect(Math.fround(1 + 2 * EPS)).toBe(1 + 2 ** -23);
  });

  it("the n mod 8 tail is summed before the eight lane sums", () => {
    // 9 values: lanes hold x[0..8) (one vector each), tail s = x[8] = 1, then s += lane k:
    // 1 + 2^-24 = 1 eight times. Left to right: 2^-24 * 8 = 2^-21 first, then + 1 = 1 + 2^-21.
    const x = new Float32Array(9).fill(EPS);
    x[8] = 1;
    expect(torchSumF32(x)).toBe(1);
    let sequential = 0;
    for (const v of x) sequential = Math.fround(sequential + v);
    expect(sequential).toBe(1 + 2 ** -21);
  });

  it("counts every element exactly once through all four cascade levels", () => {
    // 300,013 small integers (|sum| < 2^24, so every order gives the exact sum): 9,375 rows of
    // 32 floats reach level 3 (a carry every 4,096 rows), then one leftover vector, a 5-value tail.
    const n = 300_013;
    const x = new Float32Array(n);
    let exact = 0;
    for (let i = 0; i < n; i++) {
      x[i] = (i % 5) - 2; // −2..2: signed, so abs=true and abs=false differ
      exact += x[i]!;
    }
    let exactAbs = 0;
    for (let i = 0; i < n; i++) exactAbs += Math.abs(x[i]!);
    expect(torchSumF32(x)).toBe(exact);
    expect(torchSumF32(x, 0, n, true)).toBe(exactAbs);
    expect(torchSumF32(x, 7, 1000, true)).toBe(x.subarray(7, 1007).reduce((a, v) => a + Math.abs(v), 0));
  });

  it("the mean divides by float32(n)", () => {
    const x = Float32Array.of(1, 2, 4); // 7 / 3 in float32
    expect(torchMeanF32(x)).toBe(Math.fround(7 / 3));
  });
});

describe("torchMeanF32 reproduces every golden torch mean (per tensor, per row, per group128)", () => {
  for (const c of absmeanCases()) {
    for (const v of c.variants) {
      it(`${c.name} ${v.key}`, () => {
        const expected = scaleColumn(v.scales, 0); // mean_abs_clamped
        const len = c.input.length / expected.length;
        const got = new Float32Array(expected.length);
        for (let g = 0; g < got.length; g++) got[g] = Math.max(torchMeanF32(c.input, g * len, len, true), MEAN_ABS_FLOOR);
        expect(firstBitMismatch(got, expected)).toBe(-1);
      });
    }
  }
});
