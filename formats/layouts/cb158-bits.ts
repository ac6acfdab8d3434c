/** Little-endian, LSB-first bit streams (CB158-SPEC.md §2) and the shared block-scale table. */
import { fail } from "../../src/core/errors.js";

export class BitWriter {
  private acc = 0;
  private filled = 0;
  constructor(
    private readonly out: Uint8Array,
    private at: number,
  ) {}

  /** Appends the low `width` (≤ 24) bits of `value`. */
  write(value: number, width: number): void {
    this.acc |= value << this.filled;
    this.filled += width;
    while (this.filled >= 8) {
      this.out[this.at++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.filled -= 8;
    }
  }

  /** Flushes a partial byte (zero-filled) and returns the next byte offset. */
  end(): number {
    if (this.filled > 0) this.out[this.at++] = this.acc & 0xff;
    this.acc = 0;
    this.filled = 0;
    return this.at;
  }
}

export class BitReader {
  private acc = 0;
  private filled = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private at: number,
  ) {}

  read(width: number): number {
    while (this.filled < width) {
      this.acc |= this.bytes[this.at++]! << this.filled;
      this.filled += 8;
    }
    const value = this.acc & ((1 << width) - 1);
    this.acc >>>= width;
    this.filled -= width;
    return value;
  }

  /** Checks that the unread bits of the current byte are zero; returns the next byte offset. */
  end(section: string): number {
    if (this.acc !== 0) fail("INVALID_CODE", { offset: this.at - 1, detail: `CB158: non-zero fill bits after the ${section}` });
    this.filled = 0;
    return this.at;
  }
}

/** POW[k] = float32(2^(−k/2)), k = 0…15: the block scale is float32(d · POW[k]). */
export const BLOCK_SCALE_POW: Float32Array = (() => {
  const table = new Float32Array(16);
  for (let k = 0; k < 16; k++) table[k] = (k & 1 ? Math.fround(Math.SQRT1_2) : 1) * 2 ** -(k >> 1);
  return table;
})();
