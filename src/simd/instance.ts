/**
 * This thread's instance of ternpack's WebAssembly SIMD module (ternary.wat). Memory below
 * REGIONS is the module's own (cascade levels, tallies); callers lay their regions out from
 * REGIONS after `reserve`, and take fresh views after every reserve.
 */
import { HALF_INFINITY } from "../core/half.js";
import { lazyWasm, type WasmInstance } from "../core/wasm.js";
import { SIMD_MODULE_BASE64 } from "./simd-module.js";

export interface SimdExports {
  cascade_begin(p: number): void;
  cascade_rows(src: number, rows: number, shift: number, mult: number, infPattern: number): void;
  half_codes(src: number, blocks: number, dst: number, threshold: number, shift: number, mult: number): void;
  dense4(codes: number, rows: number, groups: number, groupBytes: number, q: number, qStride: number, acc: number): number;
}

/** First byte free for callers' regions. */
export const REGIONS = 1024;
/** Byte offsets of the module's own slots (ternary.wat's memory map). */
export const SLOTS = { levels: 0, sumSquares: 512, keptMagnitude: 520, keptCount: 528, codeSum: 532 } as const;

const instance = lazyWasm<SimdExports>(SIMD_MODULE_BASE64);

/** The module instance of this thread; `reserve(bytes)` makes [REGIONS, REGIONS + bytes) usable. */
export function simd(): WasmInstance<SimdExports> {
  const wasm = instance();
  return { exports: wasm.exports, memory: wasm.memory, reserve: (bytes) => wasm.reserve(REGIONS + bytes) };
}

/** The f32 multiplier, shift and +Inf pattern that widen a 16-bit kind in ternary.wat's formula. */
export function widening(kind: "bf16" | "f16"): { shift: number; mult: number; infPattern: number } {
  return kind === "bf16" ? { shift: 16, mult: 1, infPattern: HALF_INFINITY.bf16 } : { shift: 13, mult: 2 ** 112, infPattern: HALF_INFINITY.f16 };
}
