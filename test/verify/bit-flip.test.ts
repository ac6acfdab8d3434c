/**
 * Exhaustive single-bit corruption: every bit of a small payload of each layout is flipped in turn
 * and verifyTensor must reject each one with a location. Why every flip is catchable, per layout:
 * - I2_S / TQ2_0 codes: a 2-bit field changes to another code (codes check) or to 3 (INVALID_CODE);
 * - TL1 / TL2 pair nibbles: another index ≤ 8 decodes to other codes, > 8 is INVALID_CODE;
 * - TL2 triple nibbles: another magnitude ≤ 13 gives other codes, > 13 (or 0 under a set sign
 *   bit) is INVALID_CODE; a sign bit negates a non-zero triple or sets the sign of a zero one;
 * - TQ1_0: the encoder's bytes are one-to-one with digit values, so a flipped byte is either the
 *   canonical byte of other digits (codes check) or non-canonical (INVALID_CODE);
 * - f32 σ / f16 d: every flip changes the bit pattern, compared exactly (−0 ≠ +0, NaNs by bits);
 * - padding and the 28 bytes after the f32 scale: checked to be zero.
 */
import { describe, expect, it } from "vitest";
import { reservedBytes } from "../../kernels/reserved.js";
import { verifyTensor, type VerifyFailure } from "../../src/verify/index.js";
import { inputFor, quantizeAndPack, type Packed, type TernaryLayoutName } from "./helpers.js";

const SMALL: { layout: TernaryLayoutName; M: number; K: number; tl?: { BM: number; BK: number; bm: number } }[] = [
  { layout: "i2_s", M: 4, K: 256 },
  { layout: "tl1", M: 32, K: 64, tl: { BM: 32, BK: 64, bm: 32 } },
  { layout: "tl2", M: 32, K: 288, tl: { BM: 32, BK: 96, bm: 32 } },
  { layout: "tq1_0", M: 2, K: 256 },
  { layout: "tq2_0", M: 2, K: 256 },
];

/** The element a flipped code bit belongs to, from the spec's index formulas (I2_S §1.1, TQ2_0 §4). */
function flippedElement(p: Packed, byte: number, bit: number): { row: number; col: number } | undefined {
  const K = p.shape[1];
  if (p.layout === "i2_s" && byte < (p.shape[0] * K) / 4) {
    const flat = (byte >> 5) * 128 + 32 * (3 - (bit >> 1)) + (byte & 31);
    return { row: Math.floor(flat / K), col: flat % K };
  }
  if (p.layout === "tq2_0" && byte % 66 < 64) {
    const block = Math.floor(byte / 66);
    const b = byte % 66;
    const e = 128 * (b >> 5) + 32 * (bit >> 1) + (b & 31);
    return { row: Math.floor((block * 256) / K), col: ((block * 256) % K) + e };
  }
  return undefined;
}

/** Which check must catch a flip at `byte`, and at which payload offset it must point. */
function expectedCatch(p: Packed, byte: number): { check: VerifyFailure["check"]; byteOffset?: number } {
  const tl = p.params?.tl;
  const map = reservedBytes(p.layout, p.shape, tl);
  if (map.ranges.some((r) => byte >= r.start && byte < r.end)) return { check: "reserved", byteOffset: byte };
  if (map.scaleOffset !== undefined && byte >= map.scaleOffset && byte < map.scaleOffset + 4) return { check: "scales", byteOffset: map.scaleOffset };
  const tqBlock = p.layout === "tq1_0" ? 54 : p.layout === "tq2_0" ? 66 : 0;
  if (tqBlock && byte % tqBlock >= tqBlock - 2) {
    return { check: "scales", byteOffset: byte - (byte % tqBlock) + tqBlock - 2 };
  }
  return { check: "codes" };
}

/**
 * INVALID_CODE names the flipped byte, except when a TL2 triple magnitude drops to 0 under a set
 * sign bit: then the sign byte is the one never written with that index.
 */
function expectInvalidCodeAt(p: Packed, flipped: number, offset: number): void {
  if (offset === flipped) return;
  const [M, K] = p.shape;
  const K3 = p.layout === "tl2" ? Math.floor(K / p.params!.tl!.BK) * p.params!.tl!.BK : 0;
  const signStart = (M * K3) / 6;
  expect(p.layout, `INVALID_CODE at ${offset} for a flip at ${flipped}`).toBe("tl2");
  expect(flipped).toBeLessThan(signStart);
  expect(offset).toBeGreaterThanOrEqual(signStart);
  expect(offset).toBeLessThan(signStart + (M * K3) / 24);
}

describe("every single-bit flip of a payload is caught", () => {
  for (const c of SMALL) {
    it(`${c.layout} [${c.M}, ${c.K}]: every flipped bit fails verification, at the right place`, () => {
      const p = quantizeAndPack(c.layout, c.M, c.K, 77 + c.K, c.tl ? { tl: c.tl } : {});
      expect(verifyTensor(inputFor(p)).ok).toBe(true);
      const bytes = p.bytes.slice();
      const byCheck: Record<string, number> = {};
      let caught = 0;
      for (let i = 0; i < bytes.length; i++) {
        const want = expectedCatch(p, i);
        for (let bit = 0; bit < 8; bit++) {
          bytes[i]! ^= 1 << bit;
          const r = verifyTensor(inputFor(p, { bytes }));
          bytes[i]! ^= 1 << bit;
          const f = r.failure;
          if (r.ok || !f) continue;
          expect(f.check, `byte ${i} bit ${bit}`).toBe(want.check);
          if (want.byteOffset !== undefined) expect(f.byteOffset, `byte ${i} bit ${bit}`).toBe(want.byteOffset);
          if (f.check === "codes" && f.byteOffset !== undefined) expectInvalidCodeAt(p, i, f.byteOffset);
          if (f.check === "codes" && f.byteOffset === undefined) {
            expect(f.row, `byte ${i} bit ${bit}`).toBeDefined();
            const e = flippedElement(p, i, bit);
            if (e) expect({ row: f.row, col: f.col }, `byte ${i} bit ${bit}`).toEqual(e);
          }
          expect(f.row !== undefined || f.byteOffset !== undefined).toBe(true);
          byCheck[f.check] = (byCheck[f.check] ?? 0) + 1;
          caught++;
        }
      }
      expect(caught).toBe(bytes.length * 8); // 100 %
      expect(bytes).toEqual(p.bytes);
      console.info(`${c.layout} [${c.M}, ${c.K}]: ${caught}/${bytes.length * 8} flips caught`, byCheck);
    });
  }
});
