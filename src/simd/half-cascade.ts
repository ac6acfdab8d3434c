/**
 * The main loop of torch's float32 sum cascade (torch-sum.ts `cascade`) over the magnitudes of
 * 16-bit weights, in WebAssembly SIMD: rows of 32 halves (four 8-lane vectors) widened and added
 * lane by lane into level 0, with torch's carries every 2^p rows. Bit-identical to the JavaScript
 * loop (every lane addition is one float32 addition in the same order).
 */
import type { HalfKind } from "../quant/half-codes.js";
import { REGIONS, SLOTS, simd, widening } from "./instance.js";

/** Rows copied into the module per call: 64 KB of halves. */
const CHUNK_ROWS = 1024;
const ROW_BYTES = 64;

/**
 * Cascade levels (4 × 32 float32, level l at 32·l, not yet folded) after rows [0, q) of 32 halves
 * starting at element `base` of `bytes`, into `levels`. A NaN/Inf weight makes them non-finite.
 */
export function halfAbsCascade(bytes: Uint8Array, kind: HalfKind, base: number, q: number, p: number, levels: Float32Array): void {
  const { exports, memory, reserve } = simd();
  const { shift, mult, infPattern } = widening(kind);
  reserve(CHUNK_ROWS * ROW_BYTES);
  const heap = new Uint8Array(memory.buffer);
  exports.cascade_begin(p);
  for (let row = 0; row < q; row += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, q - row);
    const from = 2 * base + row * ROW_BYTES;
    heap.set(bytes.subarray(from, from + rows * ROW_BYTES), REGIONS);
    exports.cascade_rows(REGIONS, rows, shift, mult, infPattern);
  }
  levels.set(new Float32Array(memory.buffer, SLOTS.levels, levels.length));
}
