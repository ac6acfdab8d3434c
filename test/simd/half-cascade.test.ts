/**
 * The SIMD cascade (src/simd/half-cascade.ts) against the JavaScript cascade over the same weights
 * widened to float32: torch's sum of magnitudes must agree bit for bit, for both 16-bit kinds,
 * subnormal halves included, at lengths that reach every cascade level; a NaN or Inf weight makes
 * the sum non-finite.
 */
import { describe, expect, it } from "vitest";
import { decodeHalves } from "../../src/core/half.js";
import { lcg32 } from "../../src/core/prng.js";
import { halfRun } from "../../src/quant/float-run.js";
import { torchSumF32 } from "../../src/quant/torch-sum.js";

const INF = { bf16: 0x7f80, f16: 0x7c00 } as const;
/** Magnitude patterns drawn below this: every finite f16; bf16 up to ~1e19, so that sums stay finite. */
const TOP = { bf16: 0x6000, f16: 0x7c00 } as const;

/** `n` random finite patterns of `kind`; with `small`, magnitudes from the subnormal/tiny range. */
function halves(kind: "bf16" | "f16", n: number, seed: number, small = false): Uint8Array {
  const next = lcg32(seed);
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const r = next();
    const magnitude = small ? (r >>> 8) % 0x0800 : (r >>> 8) % TOP[kind];
    out[i] = magnitude | (r & 0x8000);
  }
  return new Uint8Array(out.buffer);
}

describe("SIMD cascade of 16-bit magnitudes", () => {
  for (const kind of ["bf16", "f16"] as const) {
    // 2^24 + 4099 elements: 2^19 + 128 rows, a carry step of 2^5 rows (p = 5, as for a 2B model's FFN weight)
    for (const [n, small] of [[(1 << 24) + 4099, false], [1 << 20, false], [(1 << 20) + 77, true], [40_003, false], [33, true]] as const) {
      it(`${kind}, ${n} elements${small ? " (tiny and subnormal)" : ""}: bit-identical to the float32 cascade`, () => {
        const bytes = halves(kind, n, n + (small ? 1 : 0));
        const simd = torchSumF32(halfRun(bytes, kind), 0, n, true);
        expect(simd).toBe(torchSumF32(decodeHalves(bytes, kind), 0, n, true));
        expect(Number.isFinite(simd)).toBe(true);
      });
    }
    it(`${kind}: an offset start gives the float32 cascade's sum of that range`, () => {
      const bytes = halves(kind, 300_000, 5);
      expect(torchSumF32(halfRun(bytes, kind), 1001, 250_000, true)).toBe(torchSumF32(decodeHalves(bytes, kind), 1001, 250_000, true));
    });
    for (const [bad, sum] of [[INF[kind], Infinity], [INF[kind] | 1, NaN], [0x7fff, NaN]] as const) {
      it(`${kind}: pattern 0x${bad.toString(16)} deep inside makes the sum ${sum}, as the float32 cascade does`, () => {
        const bytes = halves(kind, 200_000, 9);
        new Uint16Array(bytes.buffer)[123_457] = bad | 0x8000;
        const simd = torchSumF32(halfRun(bytes, kind), 0, 200_000, true);
        expect(simd).toBe(sum);
        expect(simd).toBe(torchSumF32(decodeHalves(bytes, kind), 0, 200_000, true));
      });
    }
  }
});
