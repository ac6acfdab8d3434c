/**
 * Where TL2's bytes sit (ternary-layouts.md §3.3–§3.4), for walkers that go through a 32-row
 * sub-tile row by row, keeping a row's running sums in registers.
 *
 * Sub-tile (mb, kb, mo), numbered in storage order, owns BK/6 index groups of 32 bytes (row mi's
 * byte at position ROW_AT[mi] of each: the chunk swap is its own inverse) and BK/24 sign groups;
 * it covers rows mb·BM + mo·32 + mi and triples kb·BK/3 + kt. Row mi's signs for triples
 * 8ks … 8ks+7 are the bits 15 − (2·kts + mi div 16) of LE u16 word mi mod 16 of sign group ks.
 */
import type { Dims } from "../checks.js";

/** Sub-tile row stored at byte `pos` of a 32-byte group, and vice versa: 8-byte chunks 1 and 2 trade places. */
export const ROW_AT = Uint8Array.from({ length: 32 }, (_, pos) => [0, 2, 1, 3][pos >> 3]! * 8 + (pos & 7));

export interface Tl2Geometry extends Dims {
  BM: number;
  BK: number;
  K3: number;
  K2: number;
  signStart: number;
  pairStart: number;
  padded: number;
}

/** Payload offset of the sign word of row mi in sign group ks of the sub-tile whose sign groups start at `sgn`. */
export function signWordAt(sgn: number, ks: number, mi: number): number {
  return sgn + ks * 32 + 2 * (mi & 15);
}

/**
 * That word, shifted left by mi div 16 so that triple 8ks + kts of row mi has its sign at bit
 * 15 − 2·kts (both triples of index group ko = 4ks + q: bits 15 − 4q and 13 − 4q).
 */
export function signWord(bytes: Uint8Array, sgn: number, ks: number, mi: number): number {
  const at = signWordAt(sgn, ks, mi);
  return (bytes[at]! | (bytes[at + 1]! << 8)) << (mi >> 4);
}

/** [m0, j0] of every sub-tile in storage order: its first row and first triple. */
export function subTileOrigins(g: Tl2Geometry): Int32Array {
  const out = new Int32Array(2 * (g.M / 32) * (g.K3 / g.BK));
  let at = 0;
  for (let mb = 0; mb < g.M / g.BM; mb++)
    for (let kb = 0; kb < g.K3 / g.BK; kb++)
      for (let mo = 0; mo < g.BM / 32; mo++, at += 2) {
        out[at] = mb * g.BM + mo * 32;
        out[at + 1] = kb * (g.BK / 3);
      }
  return out;
}

/** [m0, k] of every 32-byte group of the pair area in storage order: rows m0 + ROW_AT[pos], columns k … k+3. */
export function pairGroupOrigins(g: Tl2Geometry): Int32Array {
  const out = new Int32Array(2 * (g.M / 32) * (g.K2 / 4));
  let at = 0;
  for (let mb = 0; mb < g.M / g.BM; mb++)
    for (let kb = 0; kb < g.K2 / 32; kb++)
      for (let mo = 0; mo < g.BM / 32; mo++)
        for (let ko = 0; ko < 8; ko++, at += 2) {
          out[at] = mb * g.BM + mo * 32;
          out[at + 1] = g.K3 + kb * 32 + ko * 4;
        }
  return out;
}
