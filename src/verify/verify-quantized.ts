/** The pipeline's entry point after packing: verify a payload against the ternary tensor it was packed from. */
import { fail } from "../core/errors.js";
import type { LayoutParams, TernaryTensor } from "../../formats/layouts/types.js";
import type { VerifyOptions, VerifyResult } from "./types.js";
import { verifyTensor } from "./verify-tensor.js";

/**
 * `ternary` is the quantizer's output (per-tensor σ) or the layout's pack input (for TQ also per-row
 * or per-block scales, with 0 for all-zero blocks); see `ExpectedTernary.scales`. `decodeInto`: see
 * `VerifyInput.decodeInto`.
 */
export function verifyPacked(
  name: string,
  layoutName: string,
  ternary: TernaryTensor,
  bytes: Uint8Array,
  params?: LayoutParams,
  options?: VerifyOptions,
  decodeInto?: Int8Array,
): VerifyResult {
  const [M, K, ...rest] = ternary.shape;
  if (M === undefined || K === undefined || rest.length > 0) {
    fail("INVALID_SHAPE", { tensor: name, detail: `ternary layouts hold [M, K] matrices, got [${ternary.shape.join(", ")}]` });
  }
  const input = { name, layout: layoutName, shape: [M, K] as const, bytes, expected: { codes: ternary.codes, scales: ternary.scales } };
  return verifyTensor({ ...input, ...(params ? { params } : {}), ...(decodeInto ? { decodeInto } : {}) }, options);
}
