/**
 * The reference-kernel contract. These types are the kernels' own (deliberately not shared with the
 * packers in formats/layouts): the kernels are an independent reading of the layout specs.
 */

/** TL1/TL2 tiling, as in bitnet.cpp's kernel_config.ini: BM (`bm` key), BK (`bk`), bm (`bmm`). */
export interface TlParams {
  BM: number;
  BK: number;
  bm: number;
}

export type KernelName = "i2_s" | "tl1" | "tl2" | "tq1_0" | "tq2_0";

/** Matrix shape [M, K]: M = out_features (rows), K = in_features (row length). */
export type MatrixShape = readonly number[];

export interface DecodedCodes {
  /** Ternary values in {-1, 0, +1}, row-major M × K. */
  codes: Int8Array;
  /** One f32 per tensor (I2_S, TL1, TL2) or one per (row, 256-block), row-major (TQ1_0, TQ2_0). */
  scales: Float32Array;
}

export interface GemvResult {
  /** Exact integer accumulators Σ t·q, one per (row, scale group), row-major. */
  acc: Int32Array;
  /** Float outputs, one per row (epilogue in kernels/scaling.ts). */
  y: Float32Array;
}

export interface Kernel {
  readonly name: KernelName;
  /** Elements per scale group along a row: K for per-tensor layouts, 256 for TQ. */
  groupSize(shape: MatrixShape): number;
  /**
   * Recovers the ternary codes and the scales from a tensor payload. With `into` (at least M × K
   * codes from a 4-byte aligned offset), the codes are written to its first M × K elements and
   * returned as a view of it, so that a caller decoding tensor after tensor can reuse one buffer.
   */
  codes(bytes: Uint8Array, shape: MatrixShape, params?: TlParams, into?: Int8Array): DecodedCodes;
  /** value = scale · t, row-major M × K. */
  dequantize(bytes: Uint8Array, shape: MatrixShape, params?: TlParams): Float32Array;
  /** One token: int8 activations q (length K) with scale sx; decodes the packed bytes inline. */
  gemv(bytes: Uint8Array, shape: MatrixShape, params: TlParams | undefined, q: Int8Array, sx: number): GemvResult;
  /**
   * Several tokens: q row-major (tokens × K) with one scale per token in sx (tokens = sx.length).
   * The payload is validated once and each byte decoded once per four tokens; result t equals
   * `gemv` on token t.
   */
  gemvBatch(bytes: Uint8Array, shape: MatrixShape, params: TlParams | undefined, q: Int8Array, sx: Float32Array): GemvResult[];
}
