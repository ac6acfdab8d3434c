/**
 * TL2's sign area, addressed from the spec formula (ternary-layouts.md §3.4): sign bits on zero
 * triples are reported at their sign byte, the first in row-major order; and a negative triple
 * written into an all-zero payload decodes where the formula says.
 */
import { caught } from "./golden-layouts.js";
import { describe, expect, it } from "vitest";
import { getKernel } from "../../kernels/index.js";

const M = 64;
const K = 288;
const PARAMS = { BM: 32, BK: 96, bm: 32 };
const K3 = 288;
const INDEX_BYTES = (M * K3) / 6;
const PAYLOAD = 4544 + 32; // pad32(L = (288 − 256)·64/3·5/8 + 256·64/2·4/8 = 426 + 4096) + scale block

/** §3.4: the sign byte and bit of triple j of row m. */
function signBit(m: number, j: number): { byte: number; bit: number } {
  const { BM, BK } = PARAMS;
  const [mb, mo, mi] = [Math.floor(m / BM), Math.floor((m % BM) / 32), m % 32];
  const [kb, kt] = [Math.floor(j / (BK / 3)), j % (BK / 3)];
  const [ks, kts] = [Math.floor(kt / 8), kt % 8];
  const sgroup = ((mb * (K3 / BK) + kb) * (BM / 32) + mo) * (BK / 24) + ks;
  const b = 15 - (kts * 2 + Math.floor(mi / 16));
  return { byte: INDEX_BYTES + sgroup * 32 + 2 * (mi % 16) + (b >= 8 ? 1 : 0), bit: b % 8 };
}

/** §3.3–§3.4: the index byte and nibble shift of triple j of row m. */
function indexNibble(m: number, j: number): { byte: number; shift: number } {
  const { BM, BK } = PARAMS;
  const [mb, mo, mi] = [Math.floor(m / BM), Math.floor((m % BM) / 32), m % 32];
  const [kb, kt] = [Math.floor(j / (BK / 3)), j % (BK / 3)];
  const group = ((mb * (K3 / BK) + kb) * (BM / 32) + mo) * (BK / 6) + Math.floor(kt / 2);
  const pos = [0, 2, 1, 3][Math.floor(mi / 8)]! * 8 + (mi % 8);
  return { byte: group * 32 + pos, shift: kt % 2 === 0 ? 4 : 0 };
}

describe("TL2 sign area", () => {
  const kernel = getKernel("tl2");

  it("of two signed zero triples, the one first in row-major order is reported, by codes, gemv and gemvBatch", () => {
    const payload = new Uint8Array(PAYLOAD);
    const later = signBit(40, 3); // row 40 comes after row 33, though its sign byte comes first
    const first = signBit(33, 70);
    expect(later.byte).toBeLessThan(first.byte);
    for (const s of [later, first]) payload[s.byte]! |= 1 << s.bit;
    const q = new Int8Array(K).fill(1);
    for (const call of [
      () => kernel.codes(payload, [M, K], PARAMS),
      () => kernel.gemv(payload, [M, K], PARAMS, q, 1),
      () => kernel.gemvBatch(payload, [M, K], PARAMS, new Int8Array(5 * K), new Float32Array(5).fill(1)),
    ]) {
      expect(caught(call)).toMatchObject({ code: "INVALID_CODE", offset: first.byte });
    }
  });

  it("a negative triple decodes at the columns the formula gives, and the GEMV sees it", () => {
    const payload = new Uint8Array(PAYLOAD);
    const [m, j] = [45, 77];
    const at = indexNibble(m, j);
    payload[at.byte] = 5 << at.shift; // |v| = 5 = 9·1 + 3·(−1) + (−1): t = (1, −1, −1)
    const s = signBit(m, j);
    payload[s.byte]! |= 1 << s.bit; // negative: t = (−1, 1, 1)
    const codes = kernel.codes(payload, [M, K], PARAMS).codes;
    const nonZero = [...codes.keys()].filter((i) => codes[i] !== 0);
    expect(nonZero).toEqual([m * K + 3 * j, m * K + 3 * j + 1, m * K + 3 * j + 2]);
    expect(Array.from(codes.subarray(m * K + 3 * j, m * K + 3 * j + 3))).toEqual([-1, 1, 1]);
    const q = Int8Array.from({ length: K }, (_, k) => (k % 5) - 2);
    const want = -q[3 * j]! + q[3 * j + 1]! + q[3 * j + 2]!;
    expect(want).not.toBe(0);
    const acc = kernel.gemvBatch(payload, [M, K], PARAMS, q, Float32Array.of(1))[0]!.acc;
    expect(Array.from(acc)).toEqual(Array.from({ length: M }, (_, r) => (r === m ? want : 0)));
  });
});
