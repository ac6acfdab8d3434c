/**
 * Per ternary layout on a 4096 × 4096 matrix: pack and unpack (the layout), the reference kernel's
 * GEMV throughput (one token), and what verification costs relative to packing, with its parts
 * (kernel decode, the kernel's batched GEMV over all probes, the batched dense reference over all
 * probes) so that a slow verify can be explained.
 *
 *   npx tsup bench/layouts.ts --no-config --format esm --target node20 --out-dir .tmp/bench --silent \
 *     && node .tmp/bench/layouts.js
 */
import { getLayout, type LayoutParams, type TernaryTensor } from "../formats/layouts/index.js";
import { resolveTlParams } from "../formats/layouts/tl-presets.js";
import { blockScalesFromTensorScale } from "../formats/layouts/tq-layout.js";
import { getKernel, quantizeActivations } from "../kernels/index.js";
import { absmeanTernarize } from "../src/quant/index.js";
import { denseAccumulators } from "../src/verify/dense-batch.js";
import { probeActivations, verifyTensor } from "../src/verify/index.js";
import { gaussianLike } from "../src/core/prng.js";

const M = 4096;
const K = 4096;
const N = M * K;
const LAYOUTS = ["i2_s", "tl1", "tl2", "tq1_0", "tq2_0"] as const;

/**
 * Median seconds per call: two warm-up calls, then at least 5 calls and 1 s. The median, not the
 * mean, so that other work on a shared machine shows as spread rather than as a slower layout.
 */
function time(fn: () => unknown): number {
  fn();
  fn();
  const runs: number[] = [];
  const start = performance.now();
  while (runs.length < 5 || performance.now() - start < 1000) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1]! / 1000;
}

/** Gaussian-like weights (LCG, sum of four uniforms). */
function weights(): Float32Array {
  return gaussianLike(N, 0x9e3779b9, 0.02);
}

const ms = (s: number) => (s * 1e3).toFixed(1);
const mws = (s: number) => (N / s / 1e6).toFixed(0);

const HEAD = ["layout", "pack ms", "unpack ms", "gemv Mw/s", "verify ms", "verify/pack", "codes ms", "gemv ms (all)", "dense ms (all)"];
/** The columns from this index on break verify down into its parts. */
const PARTS_FROM = 6;
const WIDTHS = HEAD.map((h) => Math.max(h.length, 8));

function line(cells: string[]): string {
  const padded = cells.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!)));
  return `${padded.slice(0, PARTS_FROM).join("  ")}  |  ${padded.slice(PARTS_FROM).join("  ")}`;
}

const values = weights();
const quantize = time(() => absmeanTernarize(values, [M, K], { granularity: "tensor" }));
const q = absmeanTernarize(values, [M, K], { granularity: "tensor" });
const sigma = q.scales[0]!;

console.log(`ternary layouts, ${M} × ${K} (node ${process.version})`);
console.log(`absmean quantize (per tensor): ${ms(quantize)} ms = ${mws(quantize)} Mw/s\n`);

console.log(line(HEAD));
let vectors = 0;
const tilings: string[] = [];

for (const name of LAYOUTS) {
  const layout = getLayout(name);
  const kernel = getKernel(name);
  const tl = name === "tl1" || name === "tl2" ? resolveTlParams(name, M, K).params : undefined;
  const params: LayoutParams | undefined = tl ? { tl } : undefined;
  const scales = name === "tq1_0" || name === "tq2_0" ? blockScalesFromTensorScale(q.codes, [M, K], sigma) : q.scales;
  const tensor: TernaryTensor = { shape: [M, K], codes: q.codes, scales };
  const bytes = layout.pack!(tensor, params);

  const pack = time(() => layout.pack!(tensor, params));
  const unpack = time(() => layout.unpack!(bytes, [M, K], params));
  const input = { name, layout: name, shape: [M, K] as const, bytes, ...(params ? { params } : {}), expected: { codes: q.codes, scales: q.scales } };
  if (tl) tilings.push(`${name} BM=${tl.BM} BK=${tl.BK} bm=${tl.bm}`);
  const verify = time(() => {
    const r = verifyTensor(input);
    if (!r.ok) throw new Error(`${name}: verification failed: ${r.failure?.message}`);
    vectors = r.gemvVectors;
  });

  // The parts of a verification, timed alone on its default probes (3 tokens + 1 with outliers).
  const act = quantizeActivations(probeActivations(1, 3, K), 4, K, tl ? "tl" : "bitnet");
  const codes = time(() => kernel.codes(bytes, [M, K], tl));
  const gemv = time(() => kernel.gemv(bytes, [M, K], tl, act.q.subarray(0, K), act.sx[0]!));
  const batch = time(() => kernel.gemvBatch(bytes, [M, K], tl, act.q, act.sx));
  const dense = time(() => denseAccumulators(q.codes, M, K, act.q, 4, kernel.groupSize([M, K])));

  console.log(line([name, ms(pack), ms(unpack), mws(gemv), ms(verify), `${(verify / pack).toFixed(1)}×`, ms(codes), ms(batch), ms(dense)]));
}
console.log(`\nverify ≈ codes + gemv + dense, both over all ${vectors} probe tokens at once; resolveTlParams: ${tilings.join(", ")}`);
