/** What the verification stage takes and reports. */
import type { LayoutParams } from "../../formats/layouts/types.js";

export type CheckName = "codes" | "scales" | "gemv" | "reserved";

/** The checks in the order they run; `VerifyResult.failure` is the first failing one in this order. */
export const CHECK_ORDER: readonly CheckName[] = ["codes", "scales", "gemv", "reserved"];

export interface ExpectedTernary {
  /** Row-major M × K codes in {−1, 0, +1}, as the quantizer produced them. */
  codes: Int8Array;
  /**
   * The quantizer's dequantization multipliers σ:
   * - I2_S, TL1, TL2: exactly one (per tensor), stored as f32 and compared bit for bit;
   * - TQ1_0, TQ2_0: one per tensor (length 1), one per row (length M) or one per 256-block
   *   (length M·K/256, row-major). The layout must store d_b = f16_RNE(σ of block b), and 0 for a
   *   block whose codes are all zero (what libggml's quantizer gives on the weights t·σ, §5.1).
   *   When the lengths coincide the meanings agree, so the reading is unambiguous.
   */
  scales: Float32Array;
}

export interface VerifyInput {
  /** Tensor name, for reports and errors. */
  name: string;
  /** Ternary layout: i2_s, tl1, tl2, tq1_0 or tq2_0. */
  layout: string;
  /** [M, K] = [out_features, in_features]. */
  shape: readonly [number, number];
  /** The packed payload. */
  bytes: Uint8Array;
  /** TL1/TL2 tiling (`params.tl`, else the bitnet.cpp preset for the shape, as the layouts resolve it). */
  params?: LayoutParams;
  expected: ExpectedTernary;
  /** A buffer (≥ M·K codes, 4-byte aligned) the kernel decodes the payload's codes into; overwritten. */
  decodeInto?: Int8Array;
}

export interface VerifyOptions {
  /** PRNG seeds of the GEMV probes; each seed gives `tokens` gaussian-like tokens plus one with outliers. Default [1]. */
  seeds?: readonly number[];
  /** Gaussian-like tokens per seed (the outlier token comes on top). Default 3. */
  tokens?: number;
}

export interface CheckOutcome {
  ok: boolean;
  /** The check could not run because an earlier step failed (ok is then false). */
  skipped?: boolean;
  detail?: string;
}

export interface VerifyFailure {
  check: CheckName;
  row?: number;
  col?: number;
  /** Layout block in payload order: 128-element blocks for I2_S, 256-element blocks (row-major) for TQ. */
  block?: number;
  /** Offset inside the payload of the offending byte, where the failure is tied to one. */
  byteOffset?: number;
  message: string;
}

export interface VerifyResult {
  name: string;
  layout: string;
  ok: boolean;
  checks: Record<CheckName, CheckOutcome>;
  failure?: VerifyFailure;
  /** Probe vectors of the GEMV check (seeds × (tokens + 1); it stops at the first mismatch), 0 when skipped. */
  gemvVectors: number;
  elapsedMs: number;
}
