/**
 * Validating and encoding one KV record (key, type, value) for the writer. Values are checked
 * against their declared type (integer ranges, JS types); empty strings and empty arrays are
 * refused at the top level (gguf-py skips them silently; ternpack makes the caller omit the key),
 * while an empty string inside a string array is legal and written as is.
 */
import { fail } from "../../src/core/errors.js";
import { ByteBuilder } from "./byte-builder.js";
import { HOST_IS_LITTLE_ENDIAN } from "./host.js";
import {
  GGUF_TYPED_ARRAYS,
  GGUF_VALUE_TYPE as T,
  ggufValueTypeName,
  isGgufValueType,
  type GgufElementType,
  type GgufKvInput,
} from "./value-types.js";

const INT_RANGES: Partial<Record<number, readonly [number, number]>> = {
  [T.UINT8]: [0, 0xff],
  [T.INT8]: [-0x80, 0x7f],
  [T.UINT16]: [0, 0xffff],
  [T.INT16]: [-0x8000, 0x7fff],
  [T.UINT32]: [0, 0xffff_ffff],
  [T.INT32]: [-0x8000_0000, 0x7fff_ffff],
};

const BIG_RANGES: Partial<Record<number, readonly [bigint, bigint]>> = {
  [T.UINT64]: [0n, (1n << 64n) - 1n],
  [T.INT64]: [-(1n << 63n), (1n << 63n) - 1n],
};

/** Lone surrogates cannot be encoded as UTF-8 (TextEncoder would replace them silently). */
const LONE_SURROGATE = /\p{Surrogate}/u;

function invalid(what: string, detail: string): never {
  return fail("INVALID_VALUE", { detail: `${what}: ${detail}` });
}

export function checkString(s: unknown, what: string): asserts s is string {
  if (typeof s !== "string") invalid(what, `expected a string, got ${typeof s}`);
  if (LONE_SURROGATE.test(s)) invalid(what, "contains a lone UTF-16 surrogate");
}

/** Appends one validated element of a non-string scalar type. */
function writeScalar(out: ByteBuilder, type: GgufElementType, v: unknown, what: string): void {
  const ints = INT_RANGES[type];
  if (ints !== undefined) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < ints[0] || v > ints[1]) {
      invalid(what, `${String(v)} is not a ${ggufValueTypeName(type)} (${ints[0]}..${ints[1]})`);
    }
  }
  const bigs = BIG_RANGES[type];
  let big = 0n;
  if (bigs !== undefined) {
    if (typeof v === "number" && Number.isSafeInteger(v)) big = BigInt(v);
    else if (typeof v === "bigint") big = v;
    else invalid(what, `${String(v)} is not a bigint or safe integer`);
    if (big < bigs[0] || big > bigs[1]) invalid(what, `${big} is outside ${ggufValueTypeName(type)}`);
  }
  if ((type === T.FLOAT32 || type === T.FLOAT64) && typeof v !== "number") invalid(what, `expected a number, got ${typeof v}`);
  if (type === T.BOOL && typeof v !== "boolean") invalid(what, `expected a boolean, got ${typeof v}`);
  const n = v as number;
  switch (type) {
    case T.UINT8: return out.u8(n);
    case T.INT8: return out.i8(n);
    case T.UINT16: return out.u16(n);
    case T.INT16: return out.i16(n);
    case T.UINT32: return out.u32(n);
    case T.INT32: return out.i32(n);
    case T.FLOAT32: return out.f32(n);
    case T.FLOAT64: return out.f64(n);
    case T.BOOL: return out.u8(v ? 1 : 0);
    case T.UINT64: return out.bigU64(big);
    case T.INT64: return out.bigI64(big);
    case T.STRING:
      checkString(v, what);
      return out.string(v);
  }
}

function writeArray(out: ByteBuilder, value: unknown, what: string): void {
  const { elementType, values } = (value ?? {}) as { elementType?: unknown; values?: ArrayLike<unknown> };
  if (typeof elementType !== "number" || !isGgufValueType(elementType)) {
    fail("INVALID_VALUE_TYPE", { detail: `${what}: element type ${String(elementType)} is unknown` });
  }
  if (elementType === T.ARRAY) fail("INVALID_VALUE_TYPE", { detail: `${what}: nested arrays are not allowed` });
  if (values === undefined || typeof values.length !== "number") invalid(what, "array values are missing");
  if (values.length === 0) invalid(what, "empty arrays are not written (omit the key)");
  out.u32(elementType);
  out.u64(values.length);
  const exact: Function | undefined = GGUF_TYPED_ARRAYS[elementType as keyof typeof GGUF_TYPED_ARRAYS];
  if (exact !== undefined && values instanceof exact && HOST_IS_LITTLE_ENDIAN) {
    const typed = values as unknown as ArrayBufferView;
    out.bytes(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
    return;
  }
  for (let i = 0; i < values.length; i++) writeScalar(out, elementType, values[i], `${what}[${i}]`);
}

/** The validated record of `key` = `kv`: key string, value type, value. */
export function encodeKv(key: string, kv: GgufKvInput): Uint8Array {
  const what = `key '${key}'`;
  checkString(key, "KV key");
  if (key === "") invalid("KV key", "empty keys are not allowed");
  const type: unknown = kv.type;
  if (typeof type !== "number" || !isGgufValueType(type)) {
    fail("INVALID_VALUE_TYPE", { detail: `${what}: value type ${String(type)} is unknown` });
  }
  if (type === T.STRING && kv.value === "") invalid(what, "empty strings are not written (omit the key)");
  const out = new ByteBuilder();
  out.string(key);
  out.u32(type);
  if (type === T.ARRAY) writeArray(out, kv.value, what);
  else writeScalar(out, type as GgufElementType, kv.value, what);
  return out.result().slice();
}
