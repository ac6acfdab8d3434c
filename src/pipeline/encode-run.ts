/**
 * A float tensor encoded into a GGUF float/Q8_0 type a slab of rows at a time from a run
 * (quant/float-run.ts), so that a large 16-bit tensor kept as a float type (a 128k-vocabulary
 * embedding: 1.3 GB in float32) is never widened whole. Every GGUF type packs rows independently
 * (blocks never cross a row), so the slabs' bytes laid end to end are the whole tensor's bytes.
 */
import { fail } from "../core/errors.js";
import type { Layout, LayoutParams } from "../../formats/layouts/types.js";
import type { FloatRun } from "../quant/float-run.js";

/** Elements widened per slab (whole rows; at least one row). */
const SLAB_ELEMENTS = 1 << 18;

export function encodeRun(layout: Layout, run: FloatRun, shape: readonly number[], nbytes: number, params?: LayoutParams, tensor?: string): Uint8Array {
  if (shape.length < 2) return layout.encode(run.window(0, run.length), shape, params);
  const cols = shape.slice(1).reduce((a, b) => a * b, 1);
  const rowsPerSlab = Math.max(1, Math.floor(SLAB_ELEMENTS / cols));
  const out = new Uint8Array(nbytes);
  let at = 0;
  for (let row = 0; row < shape[0]!; row += rowsPerSlab) {
    const rows = Math.min(rowsPerSlab, shape[0]! - row);
    const slab = layout.encode(run.window(row * cols, rows * cols), [rows, ...shape.slice(1)], params);
    if (at + slab.length > nbytes) fail("TENSOR_INVALID_INFO", { tensor, detail: `${layout.name} produced more than the ${nbytes} bytes planned for [${shape.join(", ")}] (rows ${row}…${row + rows - 1})` });
    out.set(slab, at);
    at += slab.length;
  }
  return at === nbytes ? out : out.subarray(0, at);
}
