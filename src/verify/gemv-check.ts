/**
 * The GEMV check: for each probe token, the kernel's GEMV straight from the packed bytes (all of a
 * seed's tokens in one `gemvBatch`, which reads the payload once per four tokens) must give
 * the same int32 accumulators as the dense reference over the EXPECTED codes, and the same y bit for
 * bit (the kernels' epilogue, applied to the dense accumulators with the expected stored scales).
 * Activations are quantized as the layout's runtime does: 127/max|x| for TL1/TL2, with BitNet's
 * 1e-5 floor otherwise.
 */
import { compareF32, compareI32, gemvEpilogue, quantizeActivations, type GemvResult } from "../../kernels/index.js";
import { denseAccumulators } from "./dense-batch.js";
import { probeActivations } from "./probe-activations.js";
import { sameBits } from "./same-bits.js";
import type { Subject } from "./subject.js";
import type { VerifyFailure } from "./types.js";

function mismatch(s: Subject, probe: string, got: GemvResult, acc: Int32Array, y: () => Float32Array): VerifyFailure | null {
  if (!sameBits(got.acc, acc)) {
    const c = compareI32(got.acc, acc);
    const first = c.first!;
    return {
      check: "gemv",
      ...s.locate.accumulator(first.index),
      message: `${probe}: ${c.mismatches} accumulator(s) differ; first (#${first.index}): kernel ${first.actual}, dense ${first.expected}`,
    };
  }
  const ref = y();
  if (!sameBits(got.y, ref)) {
    const c = compareF32(got.y, ref, { nan: "bits" });
    const first = c.first!;
    return {
      check: "gemv",
      row: first.index,
      message:
        `${probe}: accumulators agree but ${c.mismatches} output(s) differ; first row ${first.index}: ` +
        `kernel ${first.actual} (${first.actualBits}), dense ${first.expected} (${first.expectedBits})`,
    };
  }
  return null;
}

/** Runs seeds × (tokens + 1) probes; stops at the first disagreement. */
export function checkGemv(s: Subject, seeds: readonly number[], tokens: number): VerifyFailure | null {
  const { M, K } = s;
  const rows = tokens + 1;
  const groups = K / s.groupSize;
  const scale = s.tl ? "tl" : "bitnet";
  const x = new Float32Array(rows * K);
  for (const seed of seeds) {
    const { q, sx } = quantizeActivations(probeActivations(seed, tokens, K, x), rows, K, scale);
    const dense = denseAccumulators(s.codes, M, K, q, rows, s.groupSize, s.tensor);
    const results = s.kernel.gemvBatch(s.bytes, s.shape, s.tl, q, sx);
    for (let t = 0; t < rows; t++) {
      const got = results[t]!;
      const probe = `seed ${seed}, token ${t}${t === tokens ? " (outliers)" : ""}`;
      const bad = mismatch(s, probe, got, dense[t]!, () => gemvEpilogue(dense[t]!, M, groups, sx[t]!, s.stored));
      if (bad) return bad;
    }
  }
  return null;
}
