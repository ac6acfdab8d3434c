/**
 * What TQ1_0 and TQ2_0 share (ternary-layouts.md §4–§5): blocks of 256 consecutive elements of one
 * row, rows back to back, each block ending in its f16 scale d; value = t · f32(d).
 * The GEMV keeps one accumulator per (row, block) — acc has M · K/256 entries.
 */
import { f16BitsToF32Bits } from "../../src/core/half.js";
import { requireLength, requireShape, type Dims } from "../checks.js";
import type { Kernel } from "../types.js";
import { defineKernel } from "./define-kernel.js";

export const TQ_BLOCK = 256;

export interface TqGeometry extends Dims {
  blocks: number;
  blocksPerRow: number;
}

export interface TqBlockFormat {
  name: "tq1_0" | "tq2_0";
  /** Bytes per block; the f16 d is in the last two. */
  blockBytes: number;
  /** Raises INVALID_CODE at the first code byte, in payload order, that the quantizer never writes. */
  validate(bytes: Uint8Array, blocks: number): void;
  /** Writes every block's 256 ternary values, block b at codes[256·b …]. */
  decode(bytes: Uint8Array, blocks: number, codes: Int8Array): void;
  /** Lane sums per block (define-kernel.ts `accumulate`). */
  accumulate(bytes: Uint8Array, g: TqGeometry, lanes: Float64Array): Float64Array;
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
      f.validate(bytes, blocks);
      return { ...dims, blocks, blocksPerRow };
    },
    scales(bytes, g) {
      const d = new Float32Array(g.blocks);
      const bits = new Uint32Array(d.buffer);
      for (let b = 0; b < g.blocks; b++) {
        const at = (b + 1) * blockBytes - 2;
        bits[b] = f16BitsToF32Bits(bytes[at]! | (bytes[at + 1]! << 8));
      }
      return d;
    },
    decode: (bytes, g, codes) => f.decode(bytes, g.blocks, codes),
    accumulate: f.accumulate,
  });
}
