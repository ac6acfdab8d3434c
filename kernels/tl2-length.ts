/**
 * The TL2 padded size L (ternary-layouts.md §3.5), the one definition used by the TL2 kernel and
 * the reserved-byte map: the converter's L = (K − 256)·M/3·5/8 + 256·M/2·4/8, integer ops left to
 * right (Python floor division; only defined here for K ≥ 256, where floor and truncation agree).
 */
export function tl2PaddedLength(M: number, K: number): number {
  return Math.floor((Math.floor(((K - 256) * M) / 3) * 5) / 8) + Math.floor((Math.floor((256 * M) / 2) * 4) / 8);
}
