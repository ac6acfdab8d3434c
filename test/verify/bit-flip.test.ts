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

interface FlipCase {
  layout: TernaryLayoutName;
  M: number;
  K: number;
  tl?: { BM: number; BK: number; bm: number };
  /** Flip only the bytes [from, to) (default: the whole payload). */
  only?: { from: number; to: number; what: string };
}

const SMALL: FlipCase[] = [
  { layout: "i2_s", M: 4, K: 256 },
  { layout: "tl1", M: 32, K: 64, tl: { BM: 32, BK: 64, bm: 32 } },
  { layout: "tl2", M: 32, K: 288, tl: { BM: 32, BK: 96, bm: 32 } },
  // 32×288 has no pair tail; here index 3072 + sign 768 bytes precede the 512-byte pair area (§3.4)
  { layout: "tl2", M: 64, K: 320, tl: { BM: 32, BK: 96, bm: 32 }, only: { from: 3840, to: 4352, what: "pair area" } },
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
 * Where INVALID_CODE must point: at the flipped byte, except when a TL2 triple magnitude drops to
 * 0 under a set sign bit, where the sign byte is the one never written with that magnitude.
 */
function invalidCodeProblem(p: Packed, flipped: number, offset: number): string | undefined {
  if (offset === flipped) return undefined;
  if (p.layout !== "tl2") return `INVALID_CODE at ${offset}, not at the flipped byte`;
  const [M, K] = p.shape;
  const BK = p.params!.tl!.BK;
  const K3 = Math.floor(K / BK) * BK;
  const signStart = (M * K3) / 6;
  const inSigns = offset >= signStart && offset < signStart + (M * K3) / 24;
  return flipped < signStart && inSigns ? undefined : `INVALID_CODE at ${offset}: neither the flipped byte nor a sign byte`;
}

/** Everything wrong with the verifier's answer to one flip, or undefined when it is right. */
function flipProblem(p: Packed, byte: number, bit: number, f: VerifyFailure | undefined): string | undefined {
  if (!f) return "not caught";
  const want = expectedCatch(p, byte);
  if (f.check !== want.check) return `caught by ${f.check}, expected ${want.check}`;
  if (want.byteOffset !== undefined && f.byteOffset !== want.byteOffset) return `reported byte ${f.byteOffset}, expected ${want.byteOffset}`;
  if (f.check !== "codes") return undefined;
  if (f.byteOffset !== undefined) return invalidCodeProblem(p, byte, f.byteOffset);
  if (f.row === undefined || f.col === undefined) return "codes mismatch without row/column";
  const e = flippedElement(p, byte, bit);
  return e && (e.row !== f.row || e.col !== f.col) ? `reported (${f.row}, ${f.col}), flipped element is (${e.row}, ${e.col})` : undefined;
}

describe("every single-bit flip of a payload is caught", () => {
  for (const c of SMALL) {
    const what = c.only ? `every flipped bit of the ${c.only.what}` : "every flipped bit";
    it(`${c.layout} [${c.M}, ${c.K}]: ${what} fails verification, at the right place`, () => {
      const p = quantizeAndPack(c.layout, c.M, c.K, 77 + c.K, c.tl ? { tl: c.tl } : {});
      expect(verifyTensor(inputFor(p)).ok).toBe(true);
      const bytes = p.bytes.slice();
      const byCheck: Record<string, number> = {};
      const problems: string[] = [];
      let caught = 0;
      const { from, to } = c.only ?? { from: 0, to: bytes.length };
      for (let i = from; i < to; i++) {
        for (let bit = 0; bit < 8; bit++) {
          bytes[i]! ^= 1 << bit;
          const r = verifyTensor(inputFor(p, { bytes }));
          bytes[i]! ^= 1 << bit;
          const problem = flipProblem(p, i, bit, r.ok ? undefined : r.failure);
          if (problem) problems.push(`byte ${i} bit ${bit}: ${problem}`);
          if (r.ok) continue;
          const f = r.failure!;
          const key = f.check === "codes" ? (f.byteOffset === undefined ? "other codes" : "invalid byte") : f.check;
          byCheck[key] = (byCheck[key] ?? 0) + 1;
          caught++;
        }
      }
      expect(problems.slice(0, 20)).toEqual([]);
      expect(caught).toBe((to - from) * 8); // 100 %
      expect(bytes).toEqual(p.bytes);
      console.info(`${c.layout} [${c.M}, ${c.K}] bytes ${from}..${to - 1}: ${caught}/${(to - from) * 8} flips caught`, byCheck);
    });
  }
});
