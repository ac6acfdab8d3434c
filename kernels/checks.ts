/** Argument checks and small byte readers shared by the reference kernels. */
import { fail } from "../src/core/errors.js";
import type { MatrixShape, TlParams } from "./types.js";

export interface Dims {
  M: number;
  K: number;
}

function isDim(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0;
}

/** [M, K] with positive safe-integer dimensions. */
export function matrixDims(shape: MatrixShape, layout: string): Dims {
  const [M, K] = shape;
  if (shape.length !== 2 || !isDim(M) || !isDim(K)) {
    fail("INVALID_SHAPE", { detail: `${layout}: expected a matrix shape [M, K] of positive integers, got [${shape.join(", ")}]` });
  }
  return { M, K };
}

/** Raises LAYOUT_UNSUPPORTED_SHAPE unless `ok`. */
export function requireShape(ok: boolean, layout: string, dims: Dims, why: string): void {
  if (!ok) fail("LAYOUT_UNSUPPORTED_SHAPE", { detail: `${layout} [${dims.M}, ${dims.K}]: ${why}` });
}

export function requireTlParams(params: TlParams | undefined, layout: string): TlParams {
  if (!params || ![params.BM, params.BK, params.bm].every(isDim)) {
    fail("USAGE", { detail: `${layout} needs its tiling parameters {BM, BK, bm} (positive integers); the bytes do not record them` });
  }
  return params;
}

/** The payload must be exactly `expected` bytes long. */
export function requireLength(bytes: Uint8Array, expected: number, layout: string, dims: Dims): void {
  if (bytes.length !== expected) {
    fail("SHAPE_MISMATCH", { detail: `${layout} [${dims.M}, ${dims.K}] payload must be ${expected} bytes, got ${bytes.length}` });
  }
}

export function requireActivations(q: Int8Array, K: number, sx: number, layout: string): void {
  if (q.length !== K) fail("SHAPE_MISMATCH", { detail: `${layout} gemv: activations have ${q.length} elements, row length is ${K}` });
  // +Infinity is allowed: the TL scale 127/max|x| of an all-zero token (q = 0, so y = 0).
  if (!(sx > 0)) fail("USAGE", { detail: `${layout} gemv: activation scale must be > 0, got ${sx}` });
}

/** q holds sx.length tokens of K values (row-major); every token's scale must be > 0 (see above). */
export function requireActivationBatch(q: Int8Array, K: number, sx: Float32Array, layout: string): void {
  if (q.length !== sx.length * K) {
    fail("SHAPE_MISMATCH", { detail: `${layout} gemvBatch: ${q.length} activations for ${sx.length} tokens of ${K}` });
  }
  for (let t = 0; t < sx.length; t++) {
    if (!(sx[t]! > 0)) fail("USAGE", { detail: `${layout} gemvBatch: activation scale of token ${t} must be > 0, got ${sx[t]}` });
  }
}

/** `offset` is relative to the start of the payload handed to the kernel. */
export function invalidCode(layout: string, offset: number, what: string): never {
  fail("INVALID_CODE", { offset, detail: `${layout}: ${what} at payload byte ${offset}` });
}

/** Smallest multiple of 32 that is ≥ n. */
export function pad32(n: number): number {
  return Math.ceil(n / 32) * 32;
}

/** The little-endian f32 at `offset` as a one-element array, bit pattern kept (NaN payloads too). */
export function readScaleF32(bytes: Uint8Array, offset: number): Float32Array {
  return new Float32Array(bytes.slice(offset, offset + 4).buffer);
}

