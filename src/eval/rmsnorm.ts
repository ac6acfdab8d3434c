/** RMSNorm as transformers' LlamaRMSNorm / BitNetRMSNorm computes it in float32. */

/** out[i] = weight[i] · x[i] / sqrt(mean(x²) + eps). `out` may be `x`. */
export function rmsNorm(x: Float32Array, weight: Float32Array, eps: number, out: Float32Array): Float32Array {
  const n = x.length;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[i]! * x[i]!;
  const inv = Math.fround(1 / Math.sqrt(Math.fround(Math.fround(ss / n) + Math.fround(eps))));
  for (let i = 0; i < n; i++) out[i] = weight[i]! * Math.fround(x[i]! * inv);
  return out;
}
