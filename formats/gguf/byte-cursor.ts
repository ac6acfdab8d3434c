/**
 * A forward-only little-endian cursor over a ByteSource that reads the file in windows (1 MiB by
 * default), so parsing a header never loads the whole file. Callers `ensure(n)` first (the only
 * async step, and the only bounds check) and then use the synchronous readers.
 */
import { fail, type ErrorCode } from "../../src/core/errors.js";
import type { ByteSource } from "../../src/core/io.js";

const DEFAULT_WINDOW = 1 << 20;
const TWO_POW_32 = 2 ** 32;
/** A u64 whose high word is at least this is above 2^53. */
const UNSAFE_HIGH_WORD = 0x20_0000;

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class ByteCursor {
  /** Absolute file offset of the next byte to read. */
  position = 0;
  private window: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.window.buffer);
  private windowStart = 0;

  constructor(
    readonly source: ByteSource,
    private readonly windowSize = DEFAULT_WINDOW,
  ) {}

  get fileSize(): number {
    return this.source.size;
  }

  /** Bytes between the position and the end of the file. */
  get remaining(): number {
    return this.source.size - this.position;
  }

  /** Bytes readable synchronously right now. */
  get buffered(): number {
    return this.windowStart + this.window.length - this.position;
  }

  /** Makes `n` bytes at the position readable; TRUNCATED (naming `what`) if the file ends first. */
  async ensure(n: number, what: string): Promise<void> {
    if (n <= this.buffered) return;
    if (n > this.remaining) {
      fail("TRUNCATED", {
        file: this.source.name,
        offset: this.position,
        detail: `${what} needs ${n} bytes at offset ${this.position}, the file ends at ${this.source.size}`,
      });
    }
    const length = Math.min(Math.max(n, this.windowSize), this.remaining);
    this.window = await this.source.read(this.position, length);
    this.view = new DataView(this.window.buffer, this.window.byteOffset, this.window.byteLength);
    this.windowStart = this.position;
  }

  private at(size: number): number {
    const i = this.position - this.windowStart;
    this.position += size;
    return i;
  }

  u8(): number { return this.view.getUint8(this.at(1)); }
  i8(): number { return this.view.getInt8(this.at(1)); }
  u16(): number { return this.view.getUint16(this.at(2), true); }
  i16(): number { return this.view.getInt16(this.at(2), true); }
  u32(): number { return this.view.getUint32(this.at(4), true); }
  i32(): number { return this.view.getInt32(this.at(4), true); }
  f32(): number { return this.view.getFloat32(this.at(4), true); }
  f64(): number { return this.view.getFloat64(this.at(8), true); }
  bigU64(): bigint { return this.view.getBigUint64(this.at(8), true); }
  bigI64(): bigint { return this.view.getBigInt64(this.at(8), true); }

  /**
   * A u64 count, length, dim or offset as a number; fails with `code` above 2^53 (which also
   * covers the values llama.cpp rejects as negative int64). No BigInt on this path.
   */
  u64(code: ErrorCode, what: string): number {
    const offset = this.position;
    const lo = this.u32();
    const hi = this.u32();
    if (hi >= UNSAFE_HIGH_WORD) {
      fail(code, {
        file: this.source.name,
        offset,
        detail: `${what} is ${(BigInt(hi) << 32n) | BigInt(lo)}, above 2^53`,
      });
    }
    return hi * TWO_POW_32 + lo;
  }

  /** `n` buffered bytes as a view into the window (valid until the next `ensure`). */
  bytes(n: number): Uint8Array {
    const i = this.at(n);
    return this.window.subarray(i, i + n);
  }

  /** `n` buffered bytes decoded as UTF-8; INVALID_UTF8 if they are not. */
  utf8(n: number, what: string): string {
    const offset = this.position;
    try {
      return fatalUtf8.decode(this.bytes(n));
    } catch (cause) {
      return fail("INVALID_UTF8", { file: this.source.name, offset, detail: `${what} is not valid UTF-8`, cause });
    }
  }

  /** A fresh copy of the next `n` bytes in its own (aligned) buffer; reads around the window if large. */
  async take(n: number, what: string): Promise<Uint8Array<ArrayBuffer>> {
    if (n <= this.windowSize) {
      await this.ensure(n, what);
      return this.bytes(n).slice();
    }
    if (n > this.remaining) await this.ensure(n, what); // fails with the TRUNCATED message
    const bytes = await this.source.read(this.position, n);
    this.position += n;
    const own = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return own ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
  }
}
