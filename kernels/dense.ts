/**
 * The dense integer reference GEMV: plain loops over unpacked int8 ternary codes, no layout
 * involved. The verification stage checks every layout kernel's gemv against it.
 */
import { fail } from "../src/core/errors.js";
import { matrixDims, requireActivations } from "./checks.js";
import { gemvEpilogue } from "./scaling.js";
import type { GemvResult, MatrixShape } from "./types.js";

/**
 * codes: M × K row-major ternary values; q: one token (length K) with scale sx; groupSize: elements
 * per scale group along a row (K for a per-tensor scale, 256 for TQ); scales: 1 (per tensor) or
 * M · K/groupSize (row-major per group). acc has M · K/groupSize entries; y uses kernels/scaling.ts.
 */
export function denseGemv(codes: Int8Array, shape: MatrixShape, q: Int8Array, sx: number, scales: Float32Array, groupSize: number): GemvResult {
  const { M, K } = matrixDims(shape, "dense");
  if (codes.length !== M * K) fail("SHAPE_MISMATCH", { detail: `dense gemv: ${codes.length} codes for [${M}, ${K}]` });
  requireActivations(q, K, sx, "dense");
  if (!Number.isSafeInteger(groupSize) || groupSize <= 0 || K % groupSize !== 0) {
    fail("USAGE", { detail: `dense gemv: group size ${groupSize} does not divide K = ${K}` });
  }
  const groups = K / groupSize;
  const acc = new Int32Array(M * groups);
  for (let r = 0; r < M; r++) {
    for (let g = 0; g < groups; g++) {
      let sum = 0;
      for (let k = g * groupSize; k < (g + 1) * groupSize; k++) {
        const t = codes[r * K + k]!;
        if (t < -1 || t > 1) fail("INVALID_TERNARY", { detail: `dense gemv: code ${t} at row ${r}, column ${k}` });
        sum += t * q[k]!;
      }
      acc[r * groups + g] = sum;
    }
  }
  return { acc, y: gemvEpilogue(acc, M, groups, sx, scales) };
}
