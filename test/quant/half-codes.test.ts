import { describe, it, expect } from "vitest";
import { absmeanTernarize, type Granularity } from "../../src/quant/absmean.js";
import { halfCodes, halfCodeThreshold, type HalfKind } from "../../src/quant/half-codes.js";
import { arrayRun, halfRun } from "../../src/quant/float-run.js";
import { ternarizeTensor } from "../../src/quant/tensor-ternary.js";
import { ternaryStats } from "../../src/quant/stats.js";
import { torchSumF32 } from "../../src/quant/torch-sum.js";
import { decodeHalves, encodeHalves } from "../../src/core/half.js";
import { roundHalfEven } from "../../src/core/rounding.js";
import { gaussianLike } from "../../src/core/prng.js";

const KINDS: HalfKind[] = ["bf16", "f16"];
const INFINITE = { bf16: 0x7f80, f16: 0x7c00 };

/** Every finite 16-bit pattern of `kind`, both signs, as little-endian bytes. */
function allFinitePatterns(kind: HalfKind): Uint8Array {
  const patterns: number[] = [];
  for (let m = 0; m < INFINITE[kind]; m++) patterns.push(m, m | 0x8000);
  return new Uint8Array(Uint16Array.from(patterns).buffer);
}

/** The definition: clamp(RHE(fround(w·s)), −1, 1). */
const definedCode = (w: number, s: number) => Math.max(-1, Math.min(1, roundHalfEven(Math.fround(w * s)))) + 0;

const tallyOf = () => ({ plus: 0, minus: 0, sumSquares: 0, keptMagnitude: 0 });

describe("halfCodes: one integer compare per weight equals the float definition", () => {
  const multipliers = [1, 3, 7.5, 77.123, 1234.5, 1e5, 0.001, Math.fround(1 / 0.0173), Math.fround(1 / 3e-5)];
  for (const kind of KINDS) {
    for (const s of multipliers) {
      it(`${kind}, s = ${s}: every finite pattern, codes and tally`, () => {
        const bytes = allFinitePatterns(kind);
        const values = decodeHalves(bytes, kind);
        const codes = new Int8Array(values.length);
        const tally = tallyOf();
        halfCodes(bytes, kind, s, codes, 0, values.length, tally);
        let plus = 0, minus = 0, sq = 0, kept = 0, wrong = 0;
        for (let i = 0; i < values.length; i++) {
          const c = definedCode(values[i]!, s);
          if (codes[i] !== c) wrong++;
          plus += +(c === 1);
          minus += +(c === -1);
          sq += values[i]! * values[i]!;
          kept += c === 0 ? 0 : Math.abs(values[i]!);
        }
        expect(wrong).toBe(0);
        expect([tally.plus, tally.minus]).toEqual([plus, minus]);
        expect(tally.sumSquares / sq).toBeCloseTo(1, 12);
        if (kept > 0) expect(tally.keptMagnitude / kept).toBeCloseTo(1, 12);
        else expect(tally.keptMagnitude).toBe(0);
      });
    }
  }

  it("the threshold is the first pattern that rounds past 0.5, and the one below it does not", () => {
    const wide = (h: number) => decodeHalves(new Uint8Array(Uint16Array.of(h).buffer), "bf16")[0]!;
    const t = halfCodeThreshold("bf16", 77.123);
    expect(Math.fround(wide(t) * 77.123)).toBeGreaterThan(0.5);
    expect(Math.fround(wide(t - 1) * 77.123)).toBeLessThanOrEqual(0.5);
  });

  it("odd offsets and lengths (the scalar head and tail around the word loop) give the same codes", () => {
    const values = gaussianLike(1001, 3, 0.02);
    const bytes = encodeHalves(values, "bf16");
    const full = new Int8Array(1001);
    halfCodes(bytes, "bf16", 50, full, 0, 1001, tallyOf());
    for (const [start, length] of [[1, 999], [3, 5], [2, 997], [5, 0]] as const) {
      const part = new Int8Array(1001);
      halfCodes(bytes, "bf16", 50, part, start, length, tallyOf());
      expect(Array.from(part.subarray(start, start + length))).toEqual(Array.from(full.subarray(start, start + length)));
      expect(part.subarray(0, start).every((c) => c === 0)).toBe(true);
    }
  });
});

describe("absmean over a half run equals absmean over the widened float32 values", () => {
  const granularities: Granularity[] = ["tensor", "row", { group: 64 }];
  for (const kind of KINDS) {
    for (const granularity of granularities) {
      it(`${kind}, ${JSON.stringify(granularity)}: codes and all three scale columns bit for bit`, () => {
        // per tensor: long enough (≥ 2^18) for the pattern path; rows and groups take the float path
        const shape = granularity === "tensor" ? [1025, 256] : [37, 256];
        const values = gaussianLike(shape[0]! * 256, 11, 0.03);
        const bytes = encodeHalves(values, kind);
        const widened = decodeHalves(bytes, kind);
        const a = absmeanTernarize(halfRun(bytes, kind), shape, { granularity });
        const b = absmeanTernarize(widened, shape, { granularity });
        expect(Buffer.from(a.codes.buffer).equals(Buffer.from(b.codes.buffer))).toBe(true);
        for (const k of ["scales", "inverse", "meanAbs"] as const) expect(Array.from(a[k])).toEqual(Array.from(b[k]));
      });
    }
  }

  it("the torch-order sum over a half run (widened a chunk at a time) equals the sum of the widened array", () => {
    const values = gaussianLike(300_001, 5, 0.01);
    const bytes = encodeHalves(values, "bf16");
    expect(torchSumF32(halfRun(bytes, "bf16"), 0, 300_001, true)).toBe(torchSumF32(decodeHalves(bytes, "bf16"), 0, 300_001, true));
    expect(torchSumF32(arrayRun(values), 7, 200_000)).toBe(torchSumF32(values, 7, 200_000));
  });

  it("ternarizeTensor's statistics from the codes pass equal ternaryStats over the widened values", () => {
    const values = gaussianLike(600 * 512, 9, 0.05);
    const bytes = encodeHalves(values, "bf16");
    const widened = decodeHalves(bytes, "bf16");
    const fromRun = ternarizeTensor(halfRun(bytes, "bf16"), [600, 512]);
    const fromArray = ternarizeTensor(widened, [600, 512]);
    const reference = ternaryStats(fromArray.codes, { scales: fromArray.sigma, values: widened });
    for (const r of [fromRun, fromArray]) {
      const { relativeError, ...counts } = r.stats;
      const { relativeError: expected, ...expectedCounts } = reference;
      expect(counts).toEqual(expectedCounts);
      expect(relativeError! / expected!).toBeCloseTo(1, 9);
    }
    expect(fromRun.sigma).toBe(fromArray.sigma);
  });

  it("a half run whose first elements are σ·t is detected losslessly (the whole tensor widened once)", () => {
    const sigma = 0.0625;
    const codes = Int8Array.from({ length: 8192 }, (_, i) => ((i * 7) % 3) - 1);
    const bytes = encodeHalves(Float32Array.from(codes, (c) => c * sigma), "bf16");
    const r = ternarizeTensor(halfRun(bytes, "bf16"), [16, 512]);
    expect(r.from).toBe("detected");
    expect(r.sigma).toBe(sigma);
    expect(Array.from(r.codes)).toEqual(Array.from(codes));
    expect(r.stats.relativeError).toBe(0);
  });
});
