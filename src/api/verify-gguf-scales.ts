/**
 * The scale-range check of `verifyGguf`: every stored scale the kernel decodes is finite, carries
 * no sign bit, and is > 0 wherever its scale group holds a non-zero code (an all-zero TQ block
 * stores 0; that it stores exactly +0 is the scales check's business).
 */
import type { DecodedCodes, KernelName } from "../../kernels/index.js";
import { Locator } from "../verify/locate.js";
import type { VerifyFailure } from "../verify/index.js";

function groupHasCode(codes: Int8Array, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) if (codes[i] !== 0) return true;
  return false;
}

/** The first out-of-range scale as a failure (located like the verifier's), or null. */
export function checkScaleValues(layout: KernelName, decoded: DecodedCodes, locate: Locator): Omit<VerifyFailure, "check"> | null {
  const { codes, scales } = decoded;
  const group = codes.length / scales.length;
  const bits = new Uint32Array(scales.buffer, scales.byteOffset, scales.length);
  for (let g = 0; g < scales.length; g++) {
    const d = scales[g]!;
    const used = groupHasCode(codes, g * group, group);
    const why = !Number.isFinite(d) ? "is not finite" : bits[g]! >>> 31 ? "is negative" : used && d === 0 ? "is 0 although its codes are not all zero" : undefined;
    if (why === undefined) continue;
    const which = scales.length === 1 ? `the ${layout} tensor scale` : `the d of block ${g}`;
    return { ...locate.scale(g), message: `${which} ${why}: ${Object.is(d, -0) ? "-0" : d}` };
  }
  return null;
}
