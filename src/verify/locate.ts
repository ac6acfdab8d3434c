/**
 * Turning flat indices and payload offsets into (row, col, block) for failure reports, from the
 * layout geometry of ternary-layouts.md: I2_S blocks are 128 consecutive row-major elements in
 * 32 bytes (then the scale tail), TQ blocks 256 elements of one row in a fixed number of bytes
 * ending in d. TL1/TL2 tiles interleave rows, so a byte there is reported by its offset alone.
 */
import type { KernelName } from "../../kernels/index.js";
import type { ReservedBytes } from "../../kernels/reserved.js";
import type { VerifyFailure } from "./types.js";

export type Position = Pick<VerifyFailure, "row" | "col" | "block" | "byteOffset">;

const I2S_BLOCK = 128;
const I2S_BLOCK_BYTES = 32;
const TQ_BLOCK = 256;

export class Locator {
  private readonly tq: boolean;
  private readonly tqBlockBytes: number;

  constructor(
    private readonly name: KernelName,
    private readonly M: number,
    private readonly K: number,
    private readonly payload: ReservedBytes,
  ) {
    this.tq = name === "tq1_0" || name === "tq2_0";
    this.tqBlockBytes = payload.length / ((M * K) / TQ_BLOCK);
  }

  /** Element `index` of the row-major M × K matrix. */
  element(index: number): Position {
    const at: Position = { row: Math.floor(index / this.K), col: index % this.K };
    if (this.name === "i2_s") at.block = Math.floor(index / I2S_BLOCK);
    if (this.tq) at.block = Math.floor(index / TQ_BLOCK);
    return at;
  }

  /** Entry `index` of the GEMV accumulators: one per row, or one per TQ block. */
  accumulator(index: number): Position {
    return this.tq ? this.element(index * TQ_BLOCK) : { row: index };
  }

  /** Stored scale `index`: the per-tensor f32, or the d of TQ block `index`. */
  scale(index: number): Position {
    if (!this.tq) return { byteOffset: this.payload.scaleOffset };
    return { ...this.element(index * TQ_BLOCK), byteOffset: (index + 1) * this.tqBlockBytes - 2 };
  }

  /** A byte of the payload. */
  byte(offset: number): Position {
    const at: Position = { byteOffset: offset };
    if (this.name === "i2_s" && offset < (this.M * this.K) / 4) {
      at.block = Math.floor(offset / I2S_BLOCK_BYTES);
      at.row = Math.floor((at.block * I2S_BLOCK) / this.K);
    } else if (this.tq) {
      at.block = Math.floor(offset / this.tqBlockBytes);
      at.row = Math.floor(at.block / (this.K / TQ_BLOCK));
    }
    return at;
  }
}
