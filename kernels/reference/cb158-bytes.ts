/** Little-endian and LSB-first bit readers for the CB158 sections (CB158-SPEC.md §5). */

export function u16At(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}

export function u32At(bytes: Uint8Array, offset: number): number {
  return (u16At(bytes, offset) | (u16At(bytes, offset + 2) << 16)) >>> 0;
}

/**
 * The `width`-bit field (width ≤ 24) starting at bit `bit` of an LSB-first stream beginning at
 * byte `start`. Bytes past the end of `bytes` read as 0.
 */
export function bitsAt(bytes: Uint8Array, start: number, bit: number, width: number): number {
  const at = start + Math.floor(bit / 8);
  const word = (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8) | ((bytes[at + 2] ?? 0) << 16) | ((bytes[at + 3] ?? 0) << 24);
  return ((word >>> (bit & 7)) & ((1 << width) - 1)) >>> 0;
}

/** Bytes of an LSB-first stream of `bits` bits. */
export function streamBytes(bits: number): number {
  return Math.ceil(bits / 8);
}

/** f16 bit patterns: exponent all ones is Inf/NaN. */
export function isFiniteHalf(h: number): boolean {
  return (h & 0x7c00) !== 0x7c00;
}

export function hasSignBit(h: number): boolean {
  return (h & 0x8000) !== 0;
}
