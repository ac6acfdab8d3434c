/**
 * A WebAssembly module instantiated once per thread from its committed bytes (base64), with a
 * memory that callers grow before laying out their regions. Views of the memory must be taken
 * after every `reserve`: growing replaces its ArrayBuffer.
 */

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const PAGE = 65536;

export interface WasmInstance<E> {
  readonly exports: E;
  readonly memory: WasmMemory;
  /** Makes bytes [0, bytes) of the memory usable, growing it if needed. */
  reserve(bytes: number): void;
}

/** A getter of this thread's instance of the module (exporting its memory as "memory"), compiled on first use. */
export function lazyWasm<E>(base64: string): () => WasmInstance<E> {
  let instance: WasmInstance<E> | undefined;
  return () => {
    if (instance) return instance;
    const module = new WASM.Module(Buffer.from(base64, "base64"));
    const exports = new WASM.Instance(module, {}).exports as E & { memory: WasmMemory };
    const memory = exports.memory;
    const reserve = (bytes: number): void => {
      const need = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
      if (need > 0) memory.grow(need);
    };
    return (instance = { exports, memory, reserve });
  };
}
