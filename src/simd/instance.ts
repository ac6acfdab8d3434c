/**
 * This thread's instance of ternpack's WebAssembly SIMD module (ternary.wat), compiled on first
 * use. Memory below REGIONS is the module's own (cascade levels, tallies); callers lay their
 * regions out from REGIONS after `reserve`, and must take fresh views after every reserve (a grown
 * memory replaces its ArrayBuffer).
 */
import { SIMD_MODULE_BASE64 } from "./simd-module.js";

export interface SimdExports {
  cascade_begin(p: number): void;
  cascade_rows(src: number, rows: number, shift: number, mult: number, infPattern: number): void;
  half_codes(src: number, blocks: number, dst: number, threshold: number, shift: number, mult: number, infPattern: number): void;
  dense4(codes: number, rows: number, groups: number, groupBytes: number, q: number, qStride: number, acc: number): number;
}

/** First byte free for callers' regions. */
export const REGIONS = 1024;
/** Byte offsets of the module's own slots (ternary.wat's memory map). */
export const SLOTS = { levels: 0, sumSquares: 512, keptMagnitude: 520, keptCount: 528, codeSum: 532 } as const;

const PAGE = 65536;

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface Simd {
  readonly exports: SimdExports;
  readonly memory: WasmMemory;
  /** Makes bytes [REGIONS, REGIONS + bytes) usable (growing the memory if needed). */
  reserve(bytes: number): void;
}

let instance: Simd | undefined;

function instantiate(): Simd {
  const module = new WASM.Module(Buffer.from(SIMD_MODULE_BASE64, "base64"));
  const exports = new WASM.Instance(module, {}).exports as SimdExports & { memory: WasmMemory };
  const memory = exports.memory;
  return {
    exports,
    memory,
    reserve(bytes) {
      const need = Math.ceil((REGIONS + bytes) / PAGE) - memory.buffer.byteLength / PAGE;
      if (need > 0) memory.grow(need);
    },
  };
}

/** The module instance of this thread. */
export function simd(): Simd {
  return (instance ??= instantiate());
}

/** The f32 multiplier, shift and +Inf pattern that widen a 16-bit kind in ternary.wat's formula. */
export function widening(kind: "bf16" | "f16"): { shift: number; mult: number; infPattern: number } {
  return kind === "bf16" ? { shift: 16, mult: 1, infPattern: 0x7f80 } : { shift: 13, mult: 2 ** 112, infPattern: 0x7c00 };
}
