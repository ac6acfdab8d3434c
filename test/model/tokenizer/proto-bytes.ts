/** Test-side protobuf encoding, byte by byte, to build tokenizer.model files by hand. */

export function varint(value: number): number[] {
  // Negative int32 → its 64-bit two's complement, 10 bytes (protobuf's rule for int32/enum).
  let lo = value >>> 0;
  let hi = value < 0 ? 0xffffffff : Math.floor(value / 2 ** 32);
  const out: number[] = [];
  do {
    const byte = lo & 0x7f;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi = hi >>> 7;
    out.push(lo !== 0 || hi !== 0 ? byte | 0x80 : byte);
  } while (lo !== 0 || hi !== 0);
  return out;
}

const tag = (field: number, wire: number) => varint(field * 8 + wire);

export const fVarint = (field: number, value: number) => [...tag(field, 0), ...varint(value)];

export function fFloat(field: number, value: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return [...tag(field, 5), ...b];
}

export function fBytes(field: number, body: ArrayLike<number>): number[] {
  return [...tag(field, 2), ...varint(body.length), ...Array.from(body)];
}

export const fString = (field: number, s: string) => fBytes(field, new TextEncoder().encode(s));

/** One SentencePiece message (ModelProto field 1); omitted score/type use the proto defaults. */
export function piece(text: string, score?: number, type?: number): number[] {
  const body = [...fString(1, text), ...(score === undefined ? [] : fFloat(2, score)), ...(type === undefined ? [] : fVarint(3, type))];
  return fBytes(1, body);
}

export const model = (...parts: number[][]) => new Uint8Array(parts.flat());
