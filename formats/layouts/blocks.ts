/**
 * Shared pieces of the block-regular ggml layouts (F32/F16/BF16, Q8_0, TQ1_0, TQ2_0): shape and
 * size checks, the little-endian f16 scale field, and dequantization products bit-exact with
 * libggml's reference `to_float` as built for the golden data (x86).
 */
import { fail } from "../../src/core/errors.js";
import { f16BitsToF32Bits } from "../../src/core/half.js";

/** Throws INVALID_SHAPE unless every dimension is a non-negative safe integer. */
export function requireValidShape(layout: string, shape: readonly number[]): void {
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      fail("INVALID_SHAPE", { detail: `${layout}: shape [${shape.join(", ")}] has dimension ${dim}` });
    }
  }
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const dim of shape) n *= dim;
  return n;
}

/** Row length: the last dimension (GGUF ne0); a 1-D tensor is a single row. */
export function rowLength(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1]!;
}

/**
 * Throws LAYOUT_UNSUPPORTED_SHAPE unless the row length is a multiple of `block` (blocks never
 * cross a row), naming the reason and what to store the tensor as instead.
 */
export function requireRowMultiple(layout: string, shape: readonly number[], block: number, fallback: string): void {
  requireValidShape(layout, shape);
  const cols = rowLength(shape);
  if (cols % block !== 0) {
    fail("LAYOUT_UNSUPPORTED_SHAPE", {
      detail:
        `${layout} needs the row length (last dimension) to be a multiple of ${block}; ` +
        `shape [${shape.join(", ")}] has rows of ${cols} (${cols % block} left over). ${fallback}`,
    });
  }
}

/** Throws SHAPE_MISMATCH unless an input buffer has the length its shape implies. */
export function requireLength(layout: string, what: string, actual: number, expected: number): void {
  if (actual !== expected) {
    fail("SHAPE_MISMATCH", { detail: `${layout}: ${what} has length ${actual}, the shape needs ${expected}` });
  }
}

/**
 * Ternary codes four at a time (one little-endian word, byte k = code k; Node's hosts are
 * little-endian): a view, or for codes at an unaligned offset a one-off aligned copy. The length
 * must be a multiple of 4 (every block layout's is).
 */
export function codeWords(codes: Int8Array): Int32Array {
  const aligned = codes.byteOffset % 4 === 0 ? codes : codes.slice();
  return new Int32Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 2);
}

/**
 * The four bytes t of a code word as c = t + 1 (−1, 0, +1 → 0, 1, 2), without carries between bytes:
 * the low seven bits get the +1, the sign bit is put back by the xor (0xFF → 0x80 ^ 0x80 = 0).
 */
export function codeLanes(word: number): number {
  return ((word & 0x7f7f7f7f) + 0x01010101) ^ (word & 0x80808080);
}

/** Non-zero iff some lane of `codeLanes` output is not 0, 1 or 2 (i.e. its code was not ternary). */
export function invalidLanes(lanes: number): number {
  return (lanes & 0xfcfcfcfc) | (lanes & (lanes >>> 1) & 0x01010101);
}

/** Index of the first code outside {−1, 0, +1}, or −1: a word-wide check, then a search of the failing word. */
export function firstNonTernary(codes: Int8Array): number {
  const words = codeWords(codes.subarray(0, codes.length & ~3));
  for (let w = 0; w < words.length; w++) {
    if (invalidLanes(codeLanes(words[w]!)) !== 0) return firstNonTernaryFrom(codes, 4 * w);
  }
  return firstNonTernaryFrom(codes, codes.length & ~3);
}

function firstNonTernaryFrom(codes: Int8Array, start: number): number {
  for (let i = start; i < codes.length; i++) if (codes[i]! < -1 || codes[i]! > 1) return i;
  return -1;
}

/** The little-endian 16-bit field at `at`. */
export function readU16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

export function writeU16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
}

export function isNonFiniteF16(h: number): boolean {
  return (h & 0x7c00) === 0x7c00;
}

/** What x86 SSE returns for 0 · ±Inf (the "real indefinite" NaN, sign bit set). */
const X86_DEFAULT_NAN = 0xffc00000;

/**
 * float32 bits of `k · f32(h)` for an integer k and a non-finite half h, as the reference
 * computes `(float)k * d`: a NaN scale propagates (quieted), 0 · Inf is the x86 default NaN,
 * otherwise a signed infinity. (Finite products are exact in float32 and need no help; a JS NaN
 * written into a Float32Array would come out as 0x7FC00000, which is why this returns bits.)
 */
export function nonFiniteProductBits(k: number, h: number): number {
  if (h & 0x3ff) return (f16BitsToF32Bits(h) | 0x00400000) >>> 0;
  if (k === 0) return X86_DEFAULT_NAN;
  const negative = ((h & 0x8000) !== 0) !== (k < 0);
  return negative ? 0xff800000 : 0x7f800000;
}
