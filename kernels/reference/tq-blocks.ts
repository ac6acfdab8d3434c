/**
 * What TQ1_0 and TQ2_0 share (ternary-layouts.md §4–§5): blocks of 256 consecutive elements of one
 * row, rows back to back, each block ending in its f16 scale d; value = t · f32(d).
 * The GEMV keeps one accumulator per (row, block) — acc has M · K/256 entries.
 */
import { decodeHalves } from "../../src/core/half.js";
import { requireLength, requireShape, type Dims } from "../checks.js";
import type { Kernel } from "../types.js";
import { defineKernel } from "./define-kernel.js";

export const TQ_BLOCK = 256;

export interface TqBlockFormat {
  name: "tq1_0" | "tq2_0";
  /** Bytes per block; the f16 d is in the last two. */
  blockBytes: number;
  /** Raises INVALID_CODE for a code byte of the block at `off` that the quantizer never writes. */
  validateBlock(bytes: Uint8Array, off: number): void;
  /** Writes the block's 256 ternary values to codes[outOff …]. */
  decodeBlock(bytes: Uint8Array, off: number, codes: Int8Array, outOff: number): void;
  /** Σ t·q over the block, its element 0 paired with q[qOff]. */
  dotBlock(bytes: Uint8Array, off: number, q: Int8Array, qOff: number): number;
}

interface TqGeometry extends Dims {
  blocks: number;
  blocksPerRow: number;
}

export function defineTqKernel(f: TqBlockFormat): Kernel {
  const { name, blockBytes } = f;
  return defineKernel<TqGeometry>({
    name,
    scaleGroup: TQ_BLOCK,
    open(bytes, dims) {
      requireShape(dims.K % TQ_BLOCK === 0, name, dims, "row length K must be a multiple of 256");
      const blocksPerRow = dims.K / TQ_BLOCK;
      const blocks = dims.M * blocksPerRow;
      requireLength(bytes, blocks * blockBytes, name, dims);
      for (let b = 0; b < blocks; b++) f.validateBlock(bytes, b * blockBytes);
      return { ...dims, blocks, blocksPerRow };
    },
    scales(bytes, g) {
      const d = new Float32Array(g.blocks);
      for (let b = 0; b < g.blocks; b++) {
        const at = (b + 1) * blockBytes - 2;
        decodeHalves(bytes.subarray(at, at + 2), "f16", d.subarray(b, b + 1));
      }
      return d;
    },
    decode(bytes, g, codes) {
      for (let b = 0; b < g.blocks; b++) f.decodeBlock(bytes, b * blockBytes, codes, b * TQ_BLOCK);
    },
    accumulate(bytes, g, q) {
      const acc = new Int32Array(g.blocks);
      for (let b = 0; b < g.blocks; b++) acc[b] = f.dotBlock(bytes, b * blockBytes, q, (b % g.blocksPerRow) * TQ_BLOCK);
      return acc;
    },
  });
}
