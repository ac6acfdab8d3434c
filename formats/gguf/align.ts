/** Alignment arithmetic shared by the reader, the writer and the size formulas. */

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0 && n <= 0x8000_0000;
}

/** The smallest multiple of `alignment` (a power of two) that is >= `n`. */
export function alignUp(n: number, alignment: number): number {
  const rest = n % alignment;
  return rest === 0 ? n : n + (alignment - rest);
}
