/**
 * Reading KV values (gguf.md §2) from a ByteCursor. Numeric arrays become typed arrays holding a
 * copy of the file's bytes, so float bit patterns (NaN payloads included) survive exactly.
 */
import { fail } from "../../src/core/errors.js";
import type { ByteCursor } from "./byte-cursor.js";
import { HOST_IS_LITTLE_ENDIAN } from "./host.js";
import { MAX_ARRAY_LENGTH, MAX_STRING_BYTES } from "./limits.js";
import {
  GGUF_SCALAR_BYTES,
  GGUF_TYPED_ARRAYS,
  GGUF_VALUE_TYPE as T,
  ggufValueTypeName,
  isGgufValueType,
  type GgufArray,
  type GgufValueType,
  type GgufValues,
} from "./value-types.js";

/** The byte length of a string whose 8-byte length prefix is buffered. */
function stringLength(c: ByteCursor, what: string): number {
  const offset = c.position;
  const n = c.u64("LIMIT_EXCEEDED", `${what} length`);
  if (n > MAX_STRING_BYTES) {
    fail("LIMIT_EXCEEDED", { file: c.source.name, offset, detail: `${what} declares ${n} bytes, limit ${MAX_STRING_BYTES}` });
  }
  return n;
}

export async function readString(c: ByteCursor, what: string): Promise<string> {
  await c.ensure(8, `${what} length`);
  const n = stringLength(c, what);
  await c.ensure(n, what);
  return c.utf8(n, what);
}

/** Strings back to back; awaits only when the window runs out (tokenizer arrays hold ~10^5 strings). */
async function readStrings(c: ByteCursor, count: number, what: string): Promise<string[]> {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    if (c.buffered < 8) await c.ensure(8, `${what}[${i}] length`);
    const n = stringLength(c, `${what}[${i}]`);
    if (c.buffered < n) await c.ensure(n, `${what}[${i}]`);
    out[i] = c.utf8(n, `${what}[${i}]`);
  }
  return out;
}

async function readArray(c: ByteCursor, key: string): Promise<GgufArray> {
  const what = `array '${key}'`;
  const start = c.position;
  await c.ensure(12, `${what} header`);
  const elementType = c.u32();
  if (!isGgufValueType(elementType)) {
    fail("INVALID_VALUE_TYPE", { file: c.source.name, offset: start, detail: `${what}: element type ${elementType} is unknown` });
  }
  if (elementType === T.ARRAY) {
    fail("INVALID_VALUE_TYPE", { file: c.source.name, offset: start, detail: `${what}: nested arrays are not allowed` });
  }
  const count = c.u64("LIMIT_EXCEEDED", `${what} length`);
  if (count > MAX_ARRAY_LENGTH) {
    fail("LIMIT_EXCEEDED", { file: c.source.name, offset: start + 4, detail: `${what} declares ${count} elements, limit ${MAX_ARRAY_LENGTH}` });
  }
  const minBytes = elementType === T.STRING ? 8 : GGUF_SCALAR_BYTES[elementType];
  if (count * minBytes > c.remaining) {
    fail("TRUNCATED", {
      file: c.source.name,
      offset: c.position,
      detail: `${what} declares ${count} ${ggufValueTypeName(elementType)} elements (at least ${count * minBytes} bytes), only ${c.remaining} bytes remain`,
    });
  }
  if (elementType === T.STRING) return { elementType, values: await readStrings(c, count, what) };
  const bytes = await c.take(count * minBytes, what);
  if (elementType === T.BOOL) return { elementType, values: Array.from(bytes, (b) => b !== 0) };
  if (!HOST_IS_LITTLE_ENDIAN) fail("UNSUPPORTED_DTYPE", { detail: "numeric GGUF arrays need a little-endian host" });
  return { elementType, values: new GGUF_TYPED_ARRAYS[elementType](bytes.buffer) } as GgufArray;
}

/** The value of a KV whose type id has been read and validated. */
export async function readValue(c: ByteCursor, type: GgufValueType, key: string): Promise<GgufValues[GgufValueType]> {
  if (type === T.STRING) return readString(c, `value of '${key}'`);
  if (type === T.ARRAY) return readArray(c, key);
  await c.ensure(GGUF_SCALAR_BYTES[type], `value of '${key}'`);
  switch (type) {
    case T.UINT8: return c.u8();
    case T.INT8: return c.i8();
    case T.UINT16: return c.u16();
    case T.INT16: return c.i16();
    case T.UINT32: return c.u32();
    case T.INT32: return c.i32();
    case T.FLOAT32: return c.f32();
    case T.BOOL: return c.u8() !== 0;
    case T.UINT64: return c.bigU64();
    case T.INT64: return c.bigI64();
    case T.FLOAT64: return c.f64();
  }
}
