/**
 * Pieces shared by bitnet.cpp's three layouts (i2_s, tl1, tl2): matrix shapes, argument checks,
 * the per-tensor f32 scale block, the TL pair index, and TL's float → ternary transform.
 */
import { fail } from "../../src/core/errors.js";
import { defineLayout } from "./registry.js";
import type { Layout, LayoutParams, TernaryTensor } from "./types.js";

/** The converter's "is zero" threshold, compared in float32 (numpy 2 casts the Python 1e-6 down). */
export const ZERO_THRESHOLD = Math.fround(1e-6);

/** Bytes from a scale offset to the end of the payload: f32 LE scale + 28 zero bytes. */
export const SCALE_BLOCK_BYTES = 32;

export interface Matrix {
  M: number;
  K: number;
}

/** `[M, K]` (rows = out_features, cols = in_features) or LAYOUT_UNSUPPORTED_SHAPE / INVALID_SHAPE. */
export function matrixShape(layout: string, shape: readonly number[]): Matrix {
  if (shape.length !== 2) {
    fail("LAYOUT_UNSUPPORTED_SHAPE", {
      detail: `${layout} holds 2-D weight matrices [rows, cols]; got shape [${shape.join(", ")}]`,
    });
  }
  const [M, K] = shape as [number, number];
  if (!Number.isSafeInteger(M) || !Number.isSafeInteger(K) || M <= 0 || K <= 0) {
    fail("INVALID_SHAPE", { detail: `${layout} shape [${M}, ${K}] needs positive integer dimensions` });
  }
  return { M, K };
}

/** Checks codes/scales against the shape and returns the tensor's single f32 scale. */
export function tensorScale(layout: string, tensor: TernaryTensor, { M, K }: Matrix): number {
  if (tensor.codes.length !== M * K) {
    fail("SHAPE_MISMATCH", { detail: `${layout} [${M}, ${K}] needs ${M * K} codes, got ${tensor.codes.length}` });
  }
  if (tensor.scales.length !== 1) {
    fail("SHAPE_MISMATCH", { detail: `${layout} stores one f32 scale per tensor, got ${tensor.scales.length}` });
  }
  const scale = tensor.scales[0]!;
  if (!Number.isFinite(scale)) fail("NON_FINITE", { detail: `${layout} scale is ${scale}` });
  return scale;
}

/** Fails INVALID_TERNARY for a code outside {-1, 0, +1} at flat index `i`. */
export function badTernary(layout: string, i: number, K: number, value: number): never {
  fail("INVALID_TERNARY", {
    detail: `${layout}: code ${value} at row ${Math.floor(i / K)}, column ${i % K} is not -1, 0 or +1`,
  });
}

export function requireByteLength(layout: string, bytes: Uint8Array, expected: number, shape: Matrix): void {
  if (bytes.length !== expected) {
    fail("SHAPE_MISMATCH", {
      detail: `${layout} [${shape.M}, ${shape.K}] is ${expected} bytes, got ${bytes.length}`,
    });
  }
}

/** Writes the scale as f32 LE; the 28 bytes after it stay zero (fresh buffers are zeroed). */
export function writeScale(out: Uint8Array, offset: number, scale: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setFloat32(offset, scale, true);
}

/** Reads the first 4 bytes of the scale block; the other 28 are never read (junk is allowed). */
export function readScale(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat32(offset, true);
}

/** Fails INVALID_CODE unless `bytes[from, to)` is all zero (padding the packer writes as zeros). */
export function requireZeros(layout: string, bytes: Uint8Array, from: number, to: number, what: string): void {
  for (let i = from; i < to; i++) {
    if (bytes[i] !== 0) {
      fail("INVALID_CODE", {
        offset: i,
        detail: `${layout} ${what} (bytes ${from}..${to - 1}) must be zero; byte ${i} is 0x${bytes[i]!.toString(16).padStart(2, "0")}`,
      });
    }
  }
}

/** TL pair index `3·t0 + t1 + 4` (0…8) back to its two codes; indices 9…15 are never written. */
export const PAIR_FIRST = Int8Array.from({ length: 9 }, (_, idx) => Math.floor(idx / 3) - 1);
export const PAIR_SECOND = Int8Array.from({ length: 9 }, (_, idx) => (idx % 3) - 1);
export const MAX_PAIR_INDEX = 8;

/** Values `scale · t` of unpacked codes. */
export function dequantize({ codes, scales }: TernaryTensor): Float32Array {
  const scale = scales[0]!;
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i]! * scale;
  return out;
}

/** Fails NON_FINITE at the first NaN/±Inf: no reference quantizer defines codes for them. */
export function requireFinite(layout: string, values: Float32Array, { M, K }: Matrix): void {
  if (values.length !== M * K) {
    fail("SHAPE_MISMATCH", { detail: `${layout} [${M}, ${K}] needs ${M * K} values, got ${values.length}` });
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      fail("NON_FINITE", { detail: `${layout}: value ${values[i]} at row ${Math.floor(i / K)}, column ${i % K}` });
    }
  }
}

/**
 * BitNet's `transform_to_tl1/2` on float weights: scale = max|w| (0 for an all-zero tensor),
 * t = 0 where |w| < 1e-6 (float32), else sign(w). The codes do not depend on the scale, which is
 * exact for the fake-quantized input `t·s` the converter feeds it.
 */
export function tlTransform(layout: string, values: Float32Array, shape: Matrix): TernaryTensor {
  requireFinite(layout, values, shape);
  const codes = new Int8Array(values.length);
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const w = values[i]!;
    const a = Math.abs(w);
    if (a > max) max = a;
    codes[i] = a < ZERO_THRESHOLD ? 0 : w > 0 ? 1 : -1;
  }
  return { shape: [shape.M, shape.K], codes, scales: Float32Array.of(max) };
}

export interface TlLayoutSpec {
  name: "tl1" | "tl2";
  ggmlType: number;
  description: string;
  /** Validates shape + tiling and returns the exact payload size. */
  totalBytes(shape: readonly number[], params?: LayoutParams): number;
  pack(tensor: TernaryTensor, params?: LayoutParams): Uint8Array;
  unpack(bytes: Uint8Array, shape: readonly number[], params?: LayoutParams): TernaryTensor;
}

/** Registers a TL layout: the two differ only in their tiling, packing and description. */
export function defineTlLayout({ name, ggmlType, description, totalBytes, pack, unpack }: TlLayoutSpec): Layout & Required<Pick<Layout, "pack" | "unpack">> {
  const label = name.toUpperCase();
  return defineLayout({
    name,
    kind: "ternary",
    ggmlType,
    /** Like the fork's type traits (blck_size = 1): the real structure is the tiling. */
    blockSize: 1,
    runtime: "bitnet.cpp",
    description,
    check(shape, params?) {
      totalBytes(shape, params);
    },
    bytesFor: totalBytes,
    encode: (values, shape, params?) => pack(tlTransform(label, values, matrixShape(label, shape)), params),
    decode: (bytes, shape, params?) => dequantize(unpack(bytes, shape, params)),
    pack,
    unpack,
  });
}
