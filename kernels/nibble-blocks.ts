/**
 * The nibble-table dot (lut.ts) over runs of code bytes laid out in blocks, in WebAssembly SIMD
 * (simd/two-bit.wat: one byte's two table entries, both lanes at once).
 * Block b of the payload holds `codeBytes` code bytes at its start; its sums go to sums[2b],
 * sums[2b + 1]; its byte i reads table positions pos + 2i (high nibble) and pos + 2i + 1 (low),
 * pos = 2·codeBytes·(b mod perRow): I2_S rows are blocks of one row each (perRow 1), TQ2_0 rows
 * are `K/256` blocks whose runs continue each other along the row.
 */
import { fail } from "../src/core/errors.js";
import { twoBitSimd } from "./simd/instance.js";

/** Payload bytes copied into the module per call (whole blocks, at least one). */
const CHUNK_BYTES = 1 << 18;

export interface BlockRuns {
  blocks: number;
  blockBytes: number;
  /** Code bytes at the start of each block (even). */
  codeBytes: number;
  perRow: number;
}

/** Lane sums (2 per block, float64) of every block of `bytes`, through the table `lut`. */
export function nibbleBlocks(bytes: Uint8Array, runs: BlockRuns, lut: Float64Array): Float64Array {
  const { blocks, blockBytes, codeBytes, perRow } = runs;
  if (codeBytes % 2 !== 0 || codeBytes > blockBytes) fail("USAGE", { detail: `nibble blocks: ${codeBytes} code bytes in blocks of ${blockBytes}` });
  if (blocks === 0 || codeBytes === 0) return new Float64Array(2 * blocks);
  const perCall = Math.max(1, Math.floor(CHUNK_BYTES / blockBytes));
  const table = 0;
  const src = table + lut.byteLength;
  const sums = src + perCall * blockBytes + ((16 - ((perCall * blockBytes) % 16)) % 16);
  const { exports, memory, reserve } = twoBitSimd();
  reserve(sums + perCall * 16);
  new Float64Array(memory.buffer, table, lut.length).set(lut);
  const out = new Float64Array(2 * blocks);
  for (let first = 0; first < blocks; first += perCall) {
    const n = Math.min(perCall, blocks - first);
    new Uint8Array(memory.buffer).set(bytes.subarray(first * blockBytes, (first + n) * blockBytes), src);
    const part = new Float64Array(memory.buffer, sums, 2 * n);
    part.fill(0);
    exports.nibble_blocks(src, n, blockBytes, codeBytes, first, perRow, table, sums);
    out.set(part, 2 * first);
  }
  return out;
}
