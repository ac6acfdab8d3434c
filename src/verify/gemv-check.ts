/**
 * The GEMV check: for each probe token, the kernel's GEMV straight from the packed bytes must give
 * the same int32 accumulators as the dense reference over the EXPECTED codes, and the same y bit for
 * bit (both use the kernels' epilogue, the dense one with the expected stored scales). Activations
 * are quantized as the layout's runtime does: 127/max|x| for TL1/TL2, the BitNet floor otherwise.
 */
import { compareF32, compareI32, denseGemv, quantizeActivations, type GemvResult } from "../../kernels/index.js";
import { probeActivations } from "./probe-activations.js";
import { sameBits } from "./same-bits.js";
import type { Subject } from "./subject.js";
import type { VerifyFailure } from "./types.js";

function mismatch(s: Subject, probe: string, got: GemvResult, ref: GemvResult): VerifyFailure | null {
  if (!sameBits(got.acc, ref.acc)) {
    const c = compareI32(got.acc, ref.acc);
    const first = c.first!;
    return {
      check: "gemv",
      ...s.locate.accumulator(first.index),
      message: `${probe}: ${c.mismatches} accumulator(s) differ; first (#${first.index}): kernel ${first.actual}, dense ${first.expected}`,
    };
  }
  if (!sameBits(got.y, ref.y)) {
    const c = compareF32(got.y, ref.y, { nan: "bits" });
    const first = c.first!;
    return {
      check: "gemv",
      row: first.index,
      message: `${probe}: accumulators agree but ${c.mismatches} output(s) differ; first row ${first.index}: kernel ${first.actual} (${first.actualBits}), dense ${first.expected} (${first.expectedBits})`,
    };
  }
  return null;
}

/** Runs seeds × (tokens + 1) probes; stops at the first disagreement. */
export function checkGemv(s: Subject, seeds: readonly number[], tokens: number): VerifyFailure | null {
  const { K } = s;
  const rows = tokens + 1;
  const scale = s.tl ? "tl" : "bitnet";
  const x = new Float32Array(rows * K);
  for (const seed of seeds) {
    const { q, sx } = quantizeActivations(probeActivations(seed, tokens, K, x), rows, K, scale);
    for (let t = 0; t < rows; t++) {
      const qt = q.subarray(t * K, (t + 1) * K);
      const got = s.kernel.gemv(s.bytes, s.shape, s.tl, qt, sx[t]!);
      const ref = denseGemv(s.codes, s.shape, qt, sx[t]!, s.stored, s.groupSize);
      const bad = mismatch(s, `seed ${seed}, token ${t}${t === tokens ? " (outliers)" : ""}`, got, ref);
      if (bad) return bad;
    }
  }
  return null;
}
