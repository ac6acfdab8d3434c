/**
 * The reference kernels: one per ternary layout, written from the layout specs only (no packer
 * code), plus the dense integer reference and the comparison helpers the verifier uses.
 */
import { fail } from "../src/core/errors.js";
import { i2sKernel } from "./reference/i2_s.js";
import { tl1Kernel } from "./reference/tl1.js";
import { tl2Kernel } from "./reference/tl2.js";
import { tq10Kernel } from "./reference/tq1_0.js";
import { tq20Kernel } from "./reference/tq2_0.js";
import type { Kernel, KernelName } from "./types.js";

const KERNELS: Readonly<Record<KernelName, Kernel>> = {
  i2_s: i2sKernel,
  tl1: tl1Kernel,
  tl2: tl2Kernel,
  tq1_0: tq10Kernel,
  tq2_0: tq20Kernel,
};

export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

export function hasKernel(name: string): name is KernelName {
  return Object.hasOwn(KERNELS, name);
}

/** The reference kernel for a layout name; LAYOUT_UNKNOWN for layouts without one. */
export function getKernel(name: string): Kernel {
  if (!hasKernel(name)) fail("LAYOUT_UNKNOWN", { detail: `no reference kernel for '${name}' (have: ${KERNEL_NAMES.join(", ")})` });
  return KERNELS[name];
}

// CB158 is not ternary codes + scales, so it has its own contract (dequantize, float gemv), outside KERNELS.
export { cb158Kernel, type Cb158Kernel, type Cb158Section, type Cb158SectionName } from "./reference/cb158.js";
export { denseGemv } from "./dense.js";
export { quantizeActivations, type ActivationScale, type QuantizedActivations } from "./activations.js";
export { compareCodes, compareF32, compareI32, type Comparison, type CompareLayout, type F32CompareOptions, type Mismatch } from "./compare.js";
export { dequantizeCodes, gemvEpilogue } from "./scaling.js";
export type { DecodedCodes, GemvResult, Kernel, KernelName, MatrixShape, TlParams } from "./types.js";
