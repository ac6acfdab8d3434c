/**
 * Header JSON → raw tensor entries (spec §3 row 6 plus ternpack's §6 rules). Numbers stay bigint
 * here; `header-layout.ts` checks offsets and sizes and converts them to plain numbers.
 */
import { fail, type ErrorCode } from "../../src/core/errors.js";
import { isSafetensorsDtype, type SafetensorsDtype } from "./dtypes.js";
import { byteOffsetOf, JsonNumber, JsonObject, unsignedInteger, type JsonContext, type JsonValue } from "./json.js";
import { checkTensorName, type SafetensorsLimits } from "./limits.js";

/** The largest `usize` of the 64-bit Rust crate. */
export const U64_MAX = (1n << 64n) - 1n;

export interface RawTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: bigint[];
  begin: bigint;
  end: bigint;
  /** Absolute byte offset of the entry's key in the file; computed on demand (for messages). */
  at: () => number;
}

export interface RawHeader {
  /** In header order. */
  tensors: RawTensor[];
  metadata: Map<string, string>;
}

const METADATA_KEY = "__metadata__";

/** Reads the top-level header object; `text` is the header, `ctx` locates it in the file. */
export function readHeaderSchema(root: JsonObject, text: string, ctx: JsonContext, limits: SafetensorsLimits): RawHeader {
  const tensorCount = root.entries.size - (root.entries.has(METADATA_KEY) ? 1 : 0);
  if (tensorCount > limits.maxTensors) {
    fail("LIMIT_EXCEEDED", { file: ctx.file, detail: `${tensorCount} tensors, limit ${limits.maxTensors}` });
  }
  let metadata = new Map<string, string>();
  const tensors: RawTensor[] = [];
  for (const [key, value] of root.entries) {
    const at = byteOffsetLazy(root, key, text, ctx);
    if (key === METADATA_KEY) metadata = readMetadata(value, ctx.file, at);
    else tensors.push(readEntry(key, value, ctx.file, at, limits));
  }
  return { tensors, metadata };
}

/** Key positions are character indexes; converting one costs O(prefix), so do it only on failure. */
function byteOffsetLazy(obj: JsonObject, key: string, text: string, ctx: JsonContext): () => number {
  return () => byteOffsetOf(text, obj.keyPositions.get(key) ?? 0, ctx);
}

function readMetadata(value: JsonValue, file: string, at: () => number): Map<string, string> {
  const out = new Map<string, string>();
  if (value === null) return out; // serde reads `null` as an absent Option
  if (!(value instanceof JsonObject)) {
    fail("INVALID_METADATA", { file, offset: at(), detail: `__metadata__ is ${describe(value)}, expected an object` });
  }
  for (const [k, v] of value.entries) {
    if (typeof v !== "string") {
      fail("INVALID_METADATA", { file, offset: at(), detail: `__metadata__[${JSON.stringify(k)}] is ${describe(v)}, expected a string` });
    }
    out.set(k, v);
  }
  return out;
}

function readEntry(name: string, value: JsonValue, file: string, at: () => number, limits: SafetensorsLimits): RawTensor {
  checkTensorName(name, limits, { file });
  const bad = (code: ErrorCode, detail: string): never => fail(code, { file, tensor: name, offset: at(), detail });
  if (!(value instanceof JsonObject)) return bad("INVALID_HEADER", `entry is ${describe(value)}, expected an object`);
  const field = (key: string): JsonValue => {
    const v = value.entries.get(key);
    return v === undefined ? bad("INVALID_HEADER", `missing field "${key}"`) : v;
  };

  const dtype = field("dtype");
  if (typeof dtype !== "string") bad("INVALID_HEADER", `dtype is ${describe(dtype)}, expected a string`);
  if (!isSafetensorsDtype(dtype as string)) bad("UNKNOWN_DTYPE", `dtype ${JSON.stringify(dtype)} is not a safetensors dtype`);

  const shape = field("shape");
  if (!Array.isArray(shape)) return bad("INVALID_HEADER", `shape is ${describe(shape)}, expected an array`);
  if (shape.length > limits.maxRank) bad("LIMIT_EXCEEDED", `rank ${shape.length}, limit ${limits.maxRank}`);
  const dims = shape.map((d, i) => {
    if (!(d instanceof JsonNumber)) return bad("INVALID_HEADER", `shape[${i}] is ${describe(d)}, expected an integer`);
    const n = unsignedInteger(d);
    if (n === undefined) return bad("INVALID_SHAPE", `shape[${i}] = ${d.text} is not a non-negative integer`);
    if (n > U64_MAX) return bad("INVALID_SHAPE", `shape[${i}] = ${d.text} does not fit in 64 bits`);
    return n;
  });

  const offsets = field("data_offsets");
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    return bad("INVALID_HEADER", `data_offsets is ${describe(offsets)}, expected [begin, end]`);
  }
  const [begin, end] = offsets.map((o, i) => {
    const n = o instanceof JsonNumber ? unsignedInteger(o) : undefined;
    if (n === undefined || n > U64_MAX) {
      return bad("INVALID_HEADER", `data_offsets[${i}] is ${o instanceof JsonNumber ? o.text : describe(o)}, expected an unsigned 64-bit integer`);
    }
    return n;
  }) as [bigint, bigint];

  return { name, dtype: dtype as SafetensorsDtype, shape: dims, begin, end, at };
}

function describe(v: JsonValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof JsonObject) return "an object";
  if (v instanceof JsonNumber) return `the number ${v.text}`;
  return typeof v === "string" ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}` : `${v}`;
}
