/**
 * The contract every weight layout implements. Math (choosing codes and scales) lives in
 * `src/quant/`; a layout only turns codes + scales into bytes and back, byte-exactly.
 *
 * Shapes are `[rows, cols]` = PyTorch `(out_features, in_features)` = GGUF `(ne1, ne0)`;
 * 1-D tensors are `[n]`. Codes are row-major int8 in {-1, 0, +1}.
 */

/** Tiling parameters of bitnet.cpp's TL1/TL2 kernels (`kernel_config.ini`: bm, bk, bmm). */
export interface TlParams {
  BM: number;
  BK: number;
  bm: number;
}

export interface LayoutParams {
  tl?: TlParams;
}

/** Ternary codes with their scales, as a quantizer produces them and a layout stores them. */
export interface TernaryTensor {
  shape: readonly number[];
  /** Row-major codes in {-1, 0, +1}. */
  codes: Int8Array;
  /**
   * Dequantization multipliers (value = scale * code): one per tensor for i2_s/tl1/tl2,
   * one per block (row-major over blocks) for tq1_0/tq2_0.
   */
  scales: Float32Array;
}

export type LayoutKind = "ternary" | "float" | "quantized";

/** The runtime that executes a layout natively. */
export type Runtime = "llama.cpp" | "bitnet.cpp" | "llama.cpp, bitnet.cpp" | "ternpack";

export interface Layout {
  readonly name: string;
  readonly kind: LayoutKind;
  /** ggml type id in GGUF files, where one exists (bitnet.cpp fork ids for i2_s/tl1/tl2). */
  readonly ggmlType?: number;
  /** Elements per block; 1 for plain floats. Bits per weight are derived from `bytesFor`. */
  readonly blockSize: number;
  /** Bytes per block for block-regular layouts; undefined where only `bytesFor` can size a tensor. */
  readonly blockBytes?: number;
  readonly runtime: Runtime;
  readonly description: string;
  /** Throws LAYOUT_UNSUPPORTED_SHAPE (with the reason) when the layout cannot hold `shape`. */
  check(shape: readonly number[], params?: LayoutParams): void;
  /** Exact byte size of a tensor of `shape` in this layout (the GGUF payload, before padding). */
  bytesFor(shape: readonly number[], params?: LayoutParams): number;
  /**
   * The layout's own reference quantizer from float input (what libggml / gguf-py / BitNet's
   * packer produce when handed these floats).
   */
  encode(values: Float32Array, shape: readonly number[], params?: LayoutParams): Uint8Array;
  /** Bytes back to float32 values (the reference `to_float`). */
  decode(bytes: Uint8Array, shape: readonly number[], params?: LayoutParams): Float32Array;
  /** Ternary layouts: pack codes + scales. */
  pack?(tensor: TernaryTensor, params?: LayoutParams): Uint8Array;
  /** Ternary layouts: recover codes + scales; throws INVALID_CODE on a code it never writes. */
  unpack?(bytes: Uint8Array, shape: readonly number[], params?: LayoutParams): TernaryTensor;
}

/** Bits per weight of a layout for a given shape, derived from its byte size. */
export function bitsPerWeight(layout: Layout, shape: readonly number[], params?: LayoutParams): number {
  const n = shape.reduce((a, b) => a * b, 1);
  return (layout.bytesFor(shape, params) * 8) / n;
}
