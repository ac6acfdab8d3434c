/**
 * The byte-level checks of a verification, all through the reference kernel's decode path: codes
 * and scales recovered by `kernel.codes`, and the reserved bytes. Each returns null when it passes,
 * else the first failure with its location.
 */
import { compareCodes, compareF32, type DecodedCodes } from "../../kernels/index.js";
import { firstNonZeroReserved } from "../../kernels/reserved.js";
import { sameBits } from "./same-bits.js";
import type { Subject } from "./subject.js";
import type { VerifyFailure } from "./types.js";

const hex2 = (b: number) => "0x" + b.toString(16).padStart(2, "0");

/** Codes the kernel reads from the payload must equal the expected codes bit for bit. */
export function checkCodes(s: Subject, decoded: DecodedCodes): VerifyFailure | null {
  if (sameBits(decoded.codes, s.codes)) return null;
  const c = compareCodes(decoded.codes, s.codes, { cols: s.K });
  const first = c.first!;
  return {
    check: "codes",
    ...s.locate.element(first.index),
    message: `${c.mismatches} code(s) differ; first at row ${first.row}, column ${first.col}: payload holds ${first.actual}, expected ${first.expected}`,
  };
}

/** Scales the kernel reads must equal, bit for bit, the ones the layout is expected to store. */
export function checkScales(s: Subject, decoded: DecodedCodes): VerifyFailure | null {
  if (sameBits(decoded.scales, s.stored)) return null;
  const c = compareF32(decoded.scales, s.stored, { nan: "bits" });
  const first = c.first!;
  const which = s.stored.length === 1 ? "the per-tensor f32 scale" : `the f16 d of block ${first.index}`;
  return {
    check: "scales",
    ...s.locate.scale(first.index),
    message:
      `${c.mismatches} of ${s.stored.length} stored scale(s) differ; first ${which}: payload ${first.actual} (${first.actualBits}), ` +
      `expected ${first.expected} (${first.expectedBits})`,
  };
}

/** Padding and tail bytes must be zero, as ternpack writes them (runtimes ignore them). */
export function checkReserved(s: Subject): VerifyFailure | null {
  const bad = firstNonZeroReserved(s.bytes, s.layout, s.shape, s.tl);
  if (!bad) return null;
  return { check: "reserved", ...s.locate.byte(bad.offset), message: `${bad.what}: byte ${bad.offset} is ${hex2(bad.value)}, ternpack writes 0` };
}
