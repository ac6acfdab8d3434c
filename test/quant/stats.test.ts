import { describe, it, expect } from "vitest";
import { ternaryStats } from "../../src/quant/index.js";
import { isTernpackError } from "../../src/core/errors.js";
import { readF32, readI8 } from "../helpers/fixtures.js";
import { ABSMEAN, scaleColumn } from "./golden-absmean.js";

describe("ternaryStats", () => {
  it("a hand-checkable example", () => {
    // σ = 0.5; residuals W − σt = 0, 0, 1/8, 0, −1/8, 1/8, −1/8, 0 → ‖·‖² = 4/64, ‖·‖ = 1/4.
    // ‖W‖² = 1/4 + 1/4 + 1/64 + 0 + 9/64 + 25/64 + 1/64 + 1/4 = 1.3125.
    const values = Float32Array.of(0.5, -0.5, 0.125, 0, 0.375, 0.625, -0.125, -0.5);
    const codes = Int8Array.of(1, -1, 0, 0, 1, 1, 0, -1);
    const s = ternaryStats(codes, { values, scales: 0.5 });
    expect(s).toEqual({
      count: 8,
      minus: 2,
      zeros: 3,
      plus: 3,
      minusFraction: 0.25,
      zeroFraction: 0.375,
      plusFraction: 0.375,
      balance: 0.2, // (3 − 2) / (3 + 2)
      scales: { count: 1, min: 0.5, max: 0.5 },
      relativeError: 0.25 / Math.sqrt(1.3125),
    });
  });

  it("per-group scales: element i uses scales[floor(i / groupLength)]", () => {
    // groups [1, −1] σ = 1 (exact) and [2, 0] σ = 2 with W = [1, −1, 3, 0]: residual only 3 − 2 = 1.
    const s = ternaryStats(Int8Array.of(1, -1, 1, 0), { values: Float32Array.of(1, -1, 3, 0), scales: Float32Array.of(1, 2) });
    expect(s.relativeError).toBe(1 / Math.sqrt(11)); // ‖W‖² = 1 + 1 + 9
    expect(s.scales).toEqual({ count: 2, min: 1, max: 2 });
  });

  it("codes only; all-zero W with all-zero codes has error 0", () => {
    const s = ternaryStats(Int8Array.of(0, 0, 0, 0), { values: new Float32Array(4), scales: 1 });
    expect([s.zeroFraction, s.balance, s.relativeError]).toEqual([1, 0, 0]);
    expect(ternaryStats(Int8Array.of(-1, -1)).balance).toBe(-1);
    expect(ternaryStats(Int8Array.of(-1, -1)).relativeError).toBeUndefined();
  });

  it("gaussian_64x256 per-row golden, against float64 computed here", () => {
    const values = readF32(ABSMEAN, "gaussian_64x256.input.f32");
    const codes = readI8(ABSMEAN, "gaussian_64x256.per_row.codes.i8");
    const sigma = scaleColumn(readF32(ABSMEAN, "gaussian_64x256.per_row.scales.f32"), 2);
    let err = 0;
    let norm = 0;
    for (let r = 0; r < 64; r++) {
      for (let c = 0; c < 256; c++) {
        const w = values[r * 256 + c]!;
        err += (w - codes[r * 256 + c]! * sigma[r]!) ** 2;
        norm += w * w;
      }
    }
    const s = ternaryStats(codes, { values, scales: sigma });
    // manifest code_counts for per_row: −1: 5662, 0: 5142, +1: 5580
    expect([s.minus, s.zeros, s.plus]).toEqual([5662, 5142, 5580]);
    expect(s.relativeError!).toBeCloseTo(Math.sqrt(err / norm), 12);
    expect(s.relativeError!).toBeGreaterThan(0.3); // ternary PTQ of a Gaussian is lossy
    expect(s.relativeError!).toBeLessThan(0.6);
    expect(s.scales!.count).toBe(64);
  });

  it("refuses non-ternary codes and mismatched lengths", () => {
    const bad = (fn: () => unknown, code: string) => {
      try {
        fn();
      } catch (e) {
        return isTernpackError(e) && e.code === code;
      }
      return false;
    };
    expect(bad(() => ternaryStats(Int8Array.of(0, 2)), "INVALID_TERNARY")).toBe(true);
    expect(bad(() => ternaryStats(Int8Array.of(0, 1), { values: new Float32Array(3), scales: 1 }), "SHAPE_MISMATCH")).toBe(true);
    expect(bad(() => ternaryStats(Int8Array.of(0, 1, 1), { scales: Float32Array.of(1, 2) }), "SHAPE_MISMATCH")).toBe(true);
    expect(bad(() => ternaryStats(Int8Array.of(0, 1), { values: new Float32Array(2) }), "USAGE")).toBe(true);
  });

  it("counts random codes as a per-element tally does, and names the first bad code", () => {
    const codes = new Int8Array(10007);
    let seed = 9;
    for (let i = 0; i < codes.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      codes[i] = (seed >>> 30) % 3 - 1;
    }
    const tally = { "-1": 0, "0": 0, "1": 0 } as Record<string, number>;
    for (const t of codes) tally[String(t)]!++;
    const s = ternaryStats(codes);
    expect([s.minus, s.zeros, s.plus]).toEqual([tally["-1"], tally["0"], tally["1"]]);
    for (const value of [2, -2, 127, -128]) {
      const bad = codes.slice();
      bad[5000] = value;
      bad[9000] = 3;
      expect(() => ternaryStats(bad)).toThrow(`code ${value} at element 5000`);
    }
  });
});
