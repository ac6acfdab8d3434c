/**
 * A container tensor's values as float32, through the reference kernels for packed layouts
 * (ternary: σ·t; CB158: Ŵ) and through the layout's own decoder for float and Q8_0 tensors; and
 * the same values back in the checkpoint's row order (undoing llama.cpp's q/k permutation).
 */
import type { ContainerTensorEntry } from "../../formats/container/index.js";
import { getLayout } from "../../formats/layouts/index.js";
import { cb158Kernel, getKernel, hasKernel } from "../../kernels/index.js";
import { qkRowOrder } from "../model/permute.js";

export function dequantizeContainerTensor(t: ContainerTensorEntry, bytes: Uint8Array): Float32Array {
  if (hasKernel(t.layout)) return getKernel(t.layout).dequantize(bytes, t.shape, t.params.tl);
  if (t.layout === "cb158") return cb158Kernel.dequantize(bytes, t.shape);
  return getLayout(t.layout).decode(bytes, t.shape, t.params);
}

/** `values` of `t` in the checkpoint's row order: stored row r goes back to row order[r]. */
export function checkpointRowOrder(t: ContainerTensorEntry, values: Float32Array): Float32Array {
  if (!t.permute) return values;
  const rows = t.shape[0]!;
  const cols = values.length / rows;
  const order = qkRowOrder(rows, t.permute.heads, t.name);
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) out.set(values.subarray(r * cols, (r + 1) * cols), order[r]! * cols);
  return out;
}
