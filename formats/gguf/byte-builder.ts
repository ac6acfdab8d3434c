/** A growable little-endian byte buffer for building GGUF headers in memory. */

const encoder = new TextEncoder();
const TWO_POW_32 = 2 ** 32;

export class ByteBuilder {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      next.set(this.buf.subarray(0, at));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.length += n;
    return at;
  }

  // `reserve` may replace buf/view, so it runs before they are read.
  u8(v: number): void { const at = this.reserve(1); this.view.setUint8(at, v); }
  i8(v: number): void { const at = this.reserve(1); this.view.setInt8(at, v); }
  u16(v: number): void { const at = this.reserve(2); this.view.setUint16(at, v, true); }
  i16(v: number): void { const at = this.reserve(2); this.view.setInt16(at, v, true); }
  u32(v: number): void { const at = this.reserve(4); this.view.setUint32(at, v, true); }
  i32(v: number): void { const at = this.reserve(4); this.view.setInt32(at, v, true); }
  f32(v: number): void { const at = this.reserve(4); this.view.setFloat32(at, v, true); }
  f64(v: number): void { const at = this.reserve(8); this.view.setFloat64(at, v, true); }
  bigU64(v: bigint): void { const at = this.reserve(8); this.view.setBigUint64(at, v, true); }
  bigI64(v: bigint): void { const at = this.reserve(8); this.view.setBigInt64(at, v, true); }

  /** A non-negative safe integer as u64, without BigInt. */
  u64(v: number): void {
    const at = this.reserve(8);
    this.view.setUint32(at, v % TWO_POW_32, true);
    this.view.setUint32(at + 4, Math.floor(v / TWO_POW_32), true);
  }

  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }

  zeros(n: number): void {
    const at = this.reserve(n);
    this.buf.fill(0, at, at + n);
  }

  /** A GGUF string: u64 byte length, then the UTF-8 bytes. */
  string(s: string): void {
    const at = this.reserve(8 + s.length * 3);
    const { written } = encoder.encodeInto(s, this.buf.subarray(at + 8));
    this.length = at + 8 + written;
    this.view.setUint32(at, written, true);
    this.view.setUint32(at + 4, 0, true);
  }

  /** The bytes built so far (a view, valid until the next write). */
  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
