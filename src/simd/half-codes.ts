/**
 * The 16-bit absmean codes pass (quant/half-codes.ts) in WebAssembly SIMD: a weight's code is ±1
 * (its sign) when its magnitude pattern is ≥ the threshold pattern, else 0, sixteen at a time;
 * the same pass sums Σw² and Σ|w| over kept weights in float64 (in a fixed order: the result
 * depends only on the tensor, never on the thread count) and counts the kept codes and their sum.
 */
import type { CodeTally } from "../quant/absmean.js";
import type { HalfKind } from "../quant/half-codes.js";
import { REGIONS, SLOTS, simd, widening } from "./instance.js";

/** Weights per call: 64 KB of halves (well under the module's 16,383-block limit). */
const CHUNK = 1 << 15;
const BLOCK = 16;

/** Codes of elements [start, start + length) into `codes`, counted into `tally`. */
export function simdHalfCodes(bytes: Uint8Array, kind: HalfKind, threshold: number, codes: Int8Array, start: number, length: number, tally: CodeTally): void {
  const { exports, memory, reserve } = simd();
  const { shift, mult } = widening(kind);
  const input = REGIONS;
  const output = REGIONS + 2 * CHUNK;
  reserve(3 * CHUNK);
  const heap = new Uint8Array(memory.buffer);
  const slots = new DataView(memory.buffer);
  let kept = 0;
  let sum = 0;
  slots.setFloat64(SLOTS.sumSquares, 0, true);
  slots.setFloat64(SLOTS.keptMagnitude, 0, true);
  for (let at = start, end = start + length; at < end; at += CHUNK) {
    const n = Math.min(CHUNK, end - at);
    const blocks = Math.ceil(n / BLOCK);
    heap.set(bytes.subarray(2 * at, 2 * (at + n)), input);
    heap.fill(0, input + 2 * n, input + 2 * blocks * BLOCK); // zero weights: code 0, nothing tallied
    // the int32 counts are per chunk (a tensor may hold more than 2^31 codes)
    slots.setInt32(SLOTS.keptCount, 0, true);
    slots.setInt32(SLOTS.codeSum, 0, true);
    exports.half_codes(input, blocks, output, threshold, shift, mult);
    kept += slots.getInt32(SLOTS.keptCount, true);
    sum += slots.getInt32(SLOTS.codeSum, true);
    codes.set(new Int8Array(memory.buffer, output, n), at);
  }
  tally.plus += (kept + sum) / 2;
  tally.minus += (kept - sum) / 2;
  tally.sumSquares += slots.getFloat64(SLOTS.sumSquares, true);
  tally.keptMagnitude += slots.getFloat64(SLOTS.keptMagnitude, true);
}
