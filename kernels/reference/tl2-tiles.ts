/**
 * Where TL2's bytes sit (ternary-layouts.md §3.3–§3.4), addressed by row so that walkers go
 * through the matrix row by row: codes are written in order and a row's running sums stay in
 * registers.
 *
 * Row m lies in sub-tile (mb, kb, mo) = (m div BM, kb, (m mod BM) div 32) of each K-block kb, as
 * sub-tile row mi = m mod 32. A sub-tile (numbered in storage order) owns BK/6 index groups of 32
 * bytes, row mi's byte at position ROW_AT[mi] of each (the chunk swap is its own inverse), and
 * BK/24 sign groups, where row mi's signs for triples 8ks … 8ks+7 of the K-block are the bits
 * 15 − (2·kts + mi div 16) of LE u16 word mi mod 16 of sign group ks.
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

/** Index groups per sub-tile (two triples per byte): BK/6. */
export const indexGroups = (g: Tl2Geometry) => g.BK / 6;

/** Storage number of the sub-tile holding row m in K-block kb. */
export function subTile(g: Tl2Geometry, m: number, kb: number): number {
  return (Math.floor(m / g.BM) * (g.K3 / g.BK) + kb) * (g.BM / 32) + Math.floor((m % g.BM) / 32);
}

/** Payload offset of row mi's sign word in sign group 0 of sub-tile `tile`; group ks is 32·ks bytes further. */
export function signBase(g: Tl2Geometry, tile: number, mi: number): number {
  return g.signStart + tile * (g.BK / 24) * 32 + 2 * (mi & 15);
}

/**
 * That word, shifted left by mi div 16 so that triple 8ks + kts of row mi has its sign at bit
 * 15 − 2·kts (the two triples of index group ko = 4ks + q: bits 15 − 4q and 13 − 4q).
 */
export function signWord(bytes: Uint8Array, at: number, mi: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8)) << (mi >> 4);
}

/** Payload offset of the 32-byte pair group of row m for columns K3 + 32·kb2 + 4·ko … +3. */
export function pairGroupAt(g: Tl2Geometry, m: number, kb2: number, ko: number): number {
  const group = ((Math.floor(m / g.BM) * (g.K2 / 32) + kb2) * (g.BM / 32) + Math.floor((m % g.BM) / 32)) * 8 + ko;
  return g.pairStart + group * 32;
}
