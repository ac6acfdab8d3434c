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
