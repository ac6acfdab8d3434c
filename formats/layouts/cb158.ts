/**
 * CB158 (ternpack-only, no ggml type id): 8-weight groups coded against a nested codebook (the
 * built-in ternary grid, or a table learned per tensor and stored in it) at one of four tiers per
 * 256-weight super-block, 4-bit log block scales, salient columns at 4 bits
 * and sparse f16 outlier residuals; byte layout in CB158-SPEC.md. A tensor's size is fixed by its
 * target bits per weight (`bytesFor`), so sizes are known before quantizing.
 *
 * Choosing codes needs an importance vector and lives in src/quant/cb158, which formats/ may not
 * import: `encode` uses the quantizer that module installs with `setCb158Encoder` when loaded.
 */
import { fail } from "../../src/core/errors.js";
import { cb158BudgetBytes, cb158Geometry, DEFAULT_BPW } from "./cb158-format.js";
import { decodeCb158 } from "./cb158-decode.js";
import { defineLayout } from "./registry.js";
import type { LayoutParams } from "./types.js";

/** Layout parameters: the target bits per weight (default 1.58), counting every stored bit. */
export interface Cb158Params extends LayoutParams {
  bpw?: number;
}

export type Cb158Encoder = (values: Float32Array, shape: readonly number[], bpw: number) => Uint8Array;

let encoder: Cb158Encoder | undefined;

export function setCb158Encoder(fn: Cb158Encoder): void {
  encoder = fn;
}

export const cb158Layout = defineLayout({
  name: "cb158",
  kind: "quantized",
  blockSize: 256,
  runtime: "ternpack",
  description: "CB158: tiered group codes (ternary grid or stored learned table), log block scales, salient columns and outliers (≈1.58 bpw, all bits counted)",
  check(shape: readonly number[]) {
    cb158Geometry(shape);
  },
  bytesFor: (shape: readonly number[], params?: Cb158Params) => cb158BudgetBytes(shape, params?.bpw ?? DEFAULT_BPW),
  encode(values: Float32Array, shape: readonly number[], params?: Cb158Params): Uint8Array {
    if (!encoder) fail("USAGE", { detail: "CB158 encoding needs src/quant/cb158 (import it, or call quantizeCb158 and packCb158)" });
    return encoder(values, shape, params?.bpw ?? DEFAULT_BPW);
  },
  decode: (bytes: Uint8Array, shape: readonly number[]) => decodeCb158(bytes, shape),
});

export { packCb158 } from "./cb158-pack.js";
export { decodeCb158 } from "./cb158-decode.js";
export * from "./cb158-format.js";
export { learnedTableBytes, type LearnedCodebook } from "./cb158-table.js";
