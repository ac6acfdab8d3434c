/**
 * Decoding of 32-byte two-bit runs (reference/two-bit.ts) in WebAssembly SIMD
 * (simd/two-bit.wat `decode_runs`: sixteen bytes a load, one shift and mask per slot). The payload
 * is a sequence of blocks of `blockBytes` bytes, each starting with `perBlock` runs; run r's 128
 * codes go to codes[128·r …]. Callers reject code 3 beforehand (valid-bytes.ts).
 */
import type { SlotShifts } from "./reference/two-bit.js";
import { twoBitSimd } from "./simd/instance.js";

const RUN_BYTES = 32;
const RUN_ELEMENTS = 128;
/** Blocks of payload decoded per call: at least one, about 64 KB. */
const CHUNK_BYTES = 1 << 16;

export interface RunBlocks {
  blocks: number;
  blockBytes: number;
  perBlock: number;
}

/** Writes the codes of every run of `bytes` into `codes` (slot shifts [6, 4, 2, 0] or [0, 2, 4, 6]). */
export function decodeRuns(bytes: Uint8Array, layout: RunBlocks, shifts: SlotShifts, codes: Int8Array): void {
  const { blocks, blockBytes, perBlock } = layout;
  const msbFirst = shifts[0] === 6 ? 1 : 0;
  const perCall = Math.max(1, Math.floor(CHUNK_BYTES / blockBytes));
  const out = Math.ceil((perCall * blockBytes) / 16) * 16;
  const codesPerBlock = perBlock * RUN_ELEMENTS;
  const { exports, memory, reserve } = twoBitSimd();
  reserve(out + perCall * codesPerBlock);
  for (let first = 0; first < blocks; first += perCall) {
    const n = Math.min(perCall, blocks - first);
    new Uint8Array(memory.buffer).set(bytes.subarray(first * blockBytes, first * blockBytes + (n - 1) * blockBytes + perBlock * RUN_BYTES), 0);
    exports.decode_runs(0, n * perBlock, perBlock, blockBytes, msbFirst, out);
    codes.set(new Int8Array(memory.buffer, out, n * codesPerBlock), first * codesPerBlock);
  }
}
