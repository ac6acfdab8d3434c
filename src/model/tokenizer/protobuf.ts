/**
 * A minimal protobuf wire-format reader (enough for SentencePiece's ModelProto): tags, varints up
 * to 64 bits (kept as two 32-bit halves, no BigInt), fixed32 floats, length-delimited fields, and
 * skipping of unknown fields. Errors name the file and the absolute byte offset.
 */
import { fail } from "../../core/errors.js";

export const WIRE = { VARINT: 0, FIXED64: 1, BYTES: 2, FIXED32: 5 } as const;

const utf8 = new TextDecoder("utf-8", { fatal: true });

export class ProtoReader {
  pos: number;
  /** Field number and wire type of the last `next()`. */
  field = 0;
  wire = 0;
  /** Low / high 32 bits of the last varint. */
  private lo = 0;
  private hi = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Reads the next tag; false at the end of this message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const at = this.pos;
    this.readVarint();
    if (this.hi !== 0 || this.lo >>> 3 === 0) this.bad(at, "invalid field tag");
    this.field = this.lo >>> 3;
    this.wire = this.lo & 7;
    return true;
  }

  /** The field's value as uint32 (wire type must be VARINT). */
  uint32(): number {
    this.expect(WIRE.VARINT);
    this.readVarint();
    return this.lo;
  }

  /** int32 / enum: negative values are 10-byte varints whose low 32 bits are the two's complement. */
  int32(): number {
    this.expect(WIRE.VARINT);
    this.readVarint();
    return this.lo | 0;
  }

  bool(): boolean {
    this.expect(WIRE.VARINT);
    this.readVarint();
    return (this.lo | this.hi) !== 0;
  }

  float(): number {
    this.expect(WIRE.FIXED32);
    const at = this.take(4);
    return this.view.getFloat32(at, true);
  }

  /** A length-delimited field as [start, end) in the buffer. */
  span(): [number, number] {
    this.expect(WIRE.BYTES);
    const at = this.pos;
    this.readVarint();
    if (this.hi !== 0) this.bad(at, "length-delimited field is too long");
    const start = this.take(this.lo);
    return [start, start + this.lo];
  }

  string(): string {
    const [start, end] = this.span();
    try {
      return utf8.decode(this.bytes.subarray(start, end));
    } catch {
      return this.bad(start, "string field is not valid UTF-8");
    }
  }

  /** A reader over an embedded message field. */
  message(): ProtoReader {
    const [start, end] = this.span();
    return new ProtoReader(this.bytes, this.file, start, end);
  }

  skip(): void {
    switch (this.wire) {
      case WIRE.VARINT: this.readVarint(); return;
      case WIRE.FIXED64: this.take(8); return;
      case WIRE.FIXED32: this.take(4); return;
      case WIRE.BYTES: this.span(); return;
      default: this.bad(this.pos, `unsupported wire type ${this.wire} (field ${this.field})`);
    }
  }

  private expect(wire: number): void {
    if (this.wire !== wire) this.bad(this.pos, `field ${this.field} has wire type ${this.wire}, expected ${wire}`);
  }

  /** Advances over n bytes of this message; returns where they start. */
  private take(n: number): number {
    const at = this.pos;
    if (n > this.end - at) fail("TRUNCATED", { file: this.file, offset: at, detail: `field ${this.field} needs ${n} bytes, ${this.end - at} left` });
    this.pos = at + n;
    return at;
  }

  private readVarint(): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) fail("TRUNCATED", { file: this.file, offset: this.pos, detail: "varint runs past the end" });
      const b = this.bytes[this.pos++] as number;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    this.bad(this.pos, "varint longer than 10 bytes");
  }

  private bad(offset: number, detail: string): never {
    return fail("INVALID_CONFIG", { file: this.file, offset, detail: `protobuf: ${detail}` });
  }
}
