/**
 * CB158 quantization throughput on a 4096×4096 random (Laplace-tailed) matrix with a random
 * importance vector, at the default 1.58 bpw: the grid alone, then "auto" (grid + learned table,
 * the better kept). Prints weights/s, the packed bpw, ε_h and the codebook stored.
 */
import { packCb158 } from "../formats/layouts/cb158-pack.js";
import { importanceWeightedError, quantizeCb158 } from "../src/quant/cb158/index.js";

const M = 4096;
const K = 4096;
let state = 0x9e3779b9;
const uniform = () => {
  state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
  return (state + 0.5) / 2 ** 32;
};
const w = new Float32Array(M * K);
for (let i = 0; i < w.length; i++) w[i] = 0.02 * Math.log(uniform()) * (uniform() < 0.5 ? -1 : 1);
const h = new Float32Array(K);
for (let j = 0; j < K; j++) h[j] = -Math.log(uniform());

for (const codebook of ["grid", "auto"] as const) {
  const start = performance.now();
  const result = quantizeCb158(w, [M, K], { importance: h, codebook });
  const quantizeMs = performance.now() - start;
  const bytes = packCb158(result.tensor);
  const packMs = performance.now() - start - quantizeMs;
  const s = result.stats;
  console.log(
    `cb158 ${M}x${K} codebook ${codebook}: quantize ${(quantizeMs / 1000).toFixed(2)} s = ${((M * K) / (quantizeMs / 1000) / 1e6).toFixed(2)} M weights/s; ` +
      `pack ${packMs.toFixed(0)} ms; ${((bytes.length * 8) / (M * K)).toFixed(4)} bpw; ε_h ${importanceWeightedError(w, result.reconstruction, K, h).toFixed(4)}; ` +
      `stored with the ${s.codebook}${s.codebookEntries ? ` (${s.codebookEntries} entries)` : ""}; tiers ${s.tierHistogram.join("/")} (widths ${s.tierWidths.join("/")})`,
  );
}
