/**
 * Packing int8 ternary codes into the 32-byte two-bit runs of I2_S and TQ2_0 (ternary-layouts.md
 * §1, §4), in WebAssembly SIMD (simd/two-bit-pack.wat): byte j of a run holds c = t + 1 of run
 * elements j, j+32, j+64, j+96 at the slot shifts (I2_S 6, 4, 2, 0; TQ2_0 0, 2, 4, 6). The payload
 * is a sequence of blocks of `blockBytes` bytes, each starting with `perBlock` runs of 128 codes
 * taken in order; the rest of a block (TQ2_0's scale) is left to the caller.
 */
import { lazyWasm } from "../../src/core/wasm.js";
import { TWO_BIT_PACK_MODULE_BASE64 } from "./simd/two-bit-pack-module.js";

interface PackExports {
  pack_runs(src: number, runs: number, perBlock: number, blockBytes: number, msbFirst: number, dst: number): number;
}

const packWasm = lazyWasm<PackExports>(TWO_BIT_PACK_MODULE_BASE64);

const RUN_ELEMENTS = 128;
/** Codes copied into the module per call: whole blocks, at least one, about 64 KB. */
const CHUNK_CODES = 1 << 16;

export interface RunBlocks {
  blocks: number;
  blockBytes: number;
  perBlock: number;
}

/**
 * Writes the runs of every block of `codes` into `out` (blocks from byte 0); returns true when
 * some code is outside {−1, 0, +1} (the caller finds and reports it).
 */
export function packRuns(codes: Int8Array, layout: RunBlocks, msbFirst: boolean, out: Uint8Array): boolean {
  const { blocks, blockBytes, perBlock } = layout;
  const blockCodes = perBlock * RUN_ELEMENTS;
  const perCall = Math.max(1, Math.floor(CHUNK_CODES / blockCodes));
  const dst = perCall * blockCodes;
  const { exports, memory, reserve } = packWasm();
  reserve(dst + perCall * blockBytes);
  let bad = false;
  for (let first = 0; first < blocks; first += perCall) {
    const n = Math.min(perCall, blocks - first);
    new Int8Array(memory.buffer).set(codes.subarray(first * blockCodes, (first + n) * blockCodes), 0);
    bad = exports.pack_runs(0, n * perBlock, perBlock, blockBytes, msbFirst ? 1 : 0, dst) !== 0 || bad;
    out.set(new Uint8Array(memory.buffer, dst, n * blockBytes), first * blockBytes);
  }
  return bad;
}
