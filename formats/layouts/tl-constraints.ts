/**
 * The tiling rules of bitnet.cpp's TL1/TL2 layouts (ternary-layouts.md §2.2, §3.1–§3.5), as
 * checks that name every violated constraint. Shared by the layouts, which refuse bad tilings,
 * and by the preset resolver, which searches for good ones.
 */
import { tl2PaddedLength } from "../gguf/tensor-bytes.js";
import type { TlParams } from "./types.js";

export type TlLayoutName = "tl1" | "tl2";

/** TL2 needs K ≥ 256: its padding formula goes negative below that (Python floors, C truncates). */
export const TL2_MIN_K = 256;

/** TL1 sub-block width along K: by = 256 / bm (bm ∈ {32, 64} → by ∈ {8, 4}). */
export function tl1By(bm: number): number {
  return 256 / bm;
}

/** TL2 splits K into K3 = floor(K/BK)·BK triple columns and a K2 = K − K3 pair tail. */
export function tl2Split(K: number, BK: number): { K3: number; K2: number } {
  const K3 = Math.floor(K / BK) * BK;
  return { K3, K2: K - K3 };
}

/** Bytes of the three TL2 areas (index, sign, two-weight), before the converter's zero padding. */
export function tl2AreaBytes(M: number, K: number, BK: number): { index: number; sign: number; two: number } {
  const { K3, K2 } = tl2Split(K, BK);
  return { index: (M * K3) / 6, sign: (M * K3) / 24, two: (M * K2) / 4 };
}

function positiveIntegers(p: TlParams): string[] {
  const bad: string[] = [];
  for (const key of ["BM", "BK", "bm"] as const) {
    const v = p[key];
    if (!Number.isSafeInteger(v) || v <= 0) bad.push(`${key}=${v} is not a positive integer`);
  }
  return bad;
}

function multiple(what: string, value: number, of: string, divisor: number): string[] {
  return value % divisor === 0 ? [] : [`${what}=${value} is not a multiple of ${of}=${divisor}`];
}

/** Every TL1 constraint (M, K) × (BM, BK, bm) violates; empty when the tiling is valid. */
export function tl1Violations(M: number, K: number, p: TlParams): string[] {
  const bad = positiveIntegers(p);
  if (bad.length > 0) return bad;
  if (p.bm !== 32 && p.bm !== 64) return [`bm=${p.bm} is not 32 or 64 (codegen_tl1 only builds those)`];
  const by = tl1By(p.bm);
  return [
    ...multiple("M", M, "BM", p.BM),
    ...multiple("K", K, "BK", p.BK),
    ...multiple("BM", p.BM, "bm", p.bm),
    ...multiple("BK", p.BK, "by = 256/bm", by),
  ];
}

/** Every TL2 constraint (M, K) × (BM, BK, bm) violates; empty when the tiling is valid. */
export function tl2Violations(M: number, K: number, p: TlParams): string[] {
  if (K < TL2_MIN_K) {
    return [`K=${K} is below ${TL2_MIN_K}: the TL2 size formula is undefined there (Python and C disagree)`];
  }
  const bad = positiveIntegers(p);
  if (bad.length > 0) return bad;
  if (p.bm !== 32) return [`bm=${p.bm} is not 32 (codegen_tl2 asserts bm = 32)`];
  const out = [
    ...multiple("M", M, "BM", p.BM),
    ...multiple("BM", p.BM, "bm", 32),
    // 3 weights per index nibble, 2 nibbles per byte, 8 triples × 32 rows per 32-byte sign group.
    ...multiple("BK", p.BK, "8 triples", 24),
  ];
  if (p.BK > K) out.push(`BK=${p.BK} exceeds K=${K} (no full 3-weight block)`);
  const { K2 } = tl2Split(K, p.BK);
  if (K2 % 32 !== 0) out.push(`the pair tail K mod BK = ${K2} is not a multiple of 32`);
  if (out.length === 0) {
    const a = tl2AreaBytes(M, K, p.BK);
    const data = a.index + a.sign + a.two;
    const L = tl2PaddedLength(K, M);
    if (data > L) out.push(`packed data (${data} bytes, pair tail K2=${K2}) exceeds the formula length L=${L}`);
  }
  return out;
}

export function tlViolations(layout: TlLayoutName, M: number, K: number, p: TlParams): string[] {
  return layout === "tl1" ? tl1Violations(M, K, p) : tl2Violations(M, K, p);
}
