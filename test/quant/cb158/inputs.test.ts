import { describe, expect, it } from "vitest";
import { flooredImportance, importanceWeightedError, quantizeCb158 } from "../../../src/quant/cb158/index.js";
import { randomMatrix } from "./helpers.js";

describe("cb158 inputs", () => {
  it("rejects non-finite weights, bad importance vectors and unsupported shapes", () => {
    const w = randomMatrix(4, 64, 2);
    const bad = w.slice();
    bad[70] = Number.NaN;
    expect(() => quantizeCb158(bad, [4, 64])).toThrow(/NON_FINITE.*element 70/);
    expect(() => quantizeCb158(w, [4, 64], { importance: new Float32Array(63) })).toThrow(/SHAPE_MISMATCH/);
    expect(() => quantizeCb158(w, [4, 64], { importance: new Float32Array(64).fill(-1) })).toThrow(/NON_FINITE/);
    expect(() => quantizeCb158(w, [8, 64])).toThrow(/SHAPE_MISMATCH/);
    expect(() => quantizeCb158(w, [2, 128 + 8])).toThrow(/LAYOUT_UNSUPPORTED_SHAPE/);
  });

  it("floors h by 1e-3 of its mean (all ones when absent)", () => {
    expect([...flooredImportance(3)]).toEqual([1, 1, 1]);
    const h = flooredImportance(2, Float32Array.of(0, 4));
    expect(h[0]).toBeCloseTo(0.002, 15);
    expect(h[1]).toBeCloseTo(4.002, 15);
  });

  it("ε_h weights squared errors by column importance", () => {
    const original = Float32Array.of(1, 2, 3, 4);
    const approx = Float32Array.of(1, 1, 3, 3);
    // errors in column 1 only: Σ h e² = 2·(1 + 1), Σ h w² = 1 + 2·4 + 9 + 2·16
    expect(importanceWeightedError(original, approx, 2, Float32Array.of(1, 2))).toBeCloseTo(Math.sqrt(4 / 50), 15);
    expect(importanceWeightedError(original, approx, 2)).toBeCloseTo(Math.sqrt(2 / 30), 15);
  });
});
