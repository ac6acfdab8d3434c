/**
 * y = W·x as row-dot loops, and the int8 per-token absmax fake quantization transformers' BitNet
 * layers apply to every BitLinear input (x ≈ q / s_x, kernels/activations.ts semantics).
 */
import { quantizeActivations } from "../../kernels/activations.js";
import type { Matrix } from "./weights.js";

/** out = W · x (out.length = W.rows, x.length = W.cols). */
export function matVec(w: Matrix, x: Float32Array, out: Float32Array): Float32Array {
  const { rows, cols, data } = w;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let acc = 0;
    for (let c = 0; c < cols; c++) acc += data[base + c]! * x[c]!;
    out[r] = acc;
  }
  return out;
}

/** x replaced by fround(q / s_x), its int8 absmax fake-quantized value (one token). */
export function fakeQuantizeActivations(x: Float32Array, out: Float32Array): Float32Array {
  const { q, sx } = quantizeActivations(x, 1, x.length);
  const s = sx[0]!;
  for (let i = 0; i < x.length; i++) out[i] = q[i]! / s;
  return out;
}
