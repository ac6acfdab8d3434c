/**
 * The safetensors writer, following the crate's `prepare`: tensors sorted by dtype (descending enum
 * order) then name (UTF-8 byte order), data back to back, compact JSON with `__metadata__` first,
 * the header padded with spaces so that 8 + N is a multiple of 8. For the same tensors and metadata
 * order it writes the same bytes as `safetensors.torch.save_file`.
 */
import { writeFileAtomically } from "../../src/core/atomic-file.js";
import { fail } from "../../src/core/errors.js";
import { dtypeBits, dtypeOrder, isSafetensorsDtype, type SafetensorsDtype } from "./dtypes.js";
import { checkTensorName, DEFAULT_LIMITS } from "./limits.js";

export interface TensorToWrite {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /**
   * Little-endian, row-major bytes: exactly elements × bits / 8 of them; or a function producing
   * them when the writer reaches the tensor, so that a file is written holding one tensor at a time.
   */
  readonly data: Uint8Array | (() => Promise<Uint8Array>);
}

/** `__metadata__`, written in this iteration order (a Map gives full control). */
export type SafetensorsMetadata = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

interface Prepared {
  /** The 8-byte length followed by the padded header. */
  header: Uint8Array;
  /** Tensors in write order, with their byte counts. */
  ordered: { t: TensorToWrite; bytes: number }[];
  dataBytes: number;
}

const encoder = new TextEncoder();
const LONE_SURROGATE = /\p{Cs}/u;

function checkWellFormed(s: string, what: string, tensor?: string): void {
  if (LONE_SURROGATE.test(s)) fail("INVALID_UTF8", { tensor, detail: `${what} holds a lone surrogate and has no UTF-8 form` });
}

/** Bytes the tensor must have; fails like the reader would on a file declaring it. */
function expectedBytes(t: TensorToWrite): number {
  const tensor = t.name;
  if (!isSafetensorsDtype(t.dtype)) fail("UNKNOWN_DTYPE", { tensor, detail: `dtype ${JSON.stringify(t.dtype)}` });
  if (t.shape.length > DEFAULT_LIMITS.maxRank) fail("LIMIT_EXCEEDED", { tensor, detail: `rank ${t.shape.length}, limit ${DEFAULT_LIMITS.maxRank}` });
  let elements = 1;
  for (const d of t.shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail("INVALID_SHAPE", { tensor, detail: `dimension ${d} in [${t.shape.join(", ")}]` });
    elements *= d;
    if (elements > Number.MAX_SAFE_INTEGER) fail("VALIDATION_OVERFLOW", { tensor, detail: `shape [${t.shape.join(", ")}] is too large` });
  }
  const bits = elements * dtypeBits(t.dtype);
  if (!Number.isSafeInteger(bits)) fail("VALIDATION_OVERFLOW", { tensor, detail: `shape [${t.shape.join(", ")}] is too large` });
  if (bits % 8 !== 0) fail("MISALIGNED_SLICE", { tensor, detail: `${elements} elements of ${t.dtype} are ${bits} bits` });
  return bits / 8;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function metadataEntries(metadata: SafetensorsMetadata): [string, string][] {
  const entries = metadata instanceof Map ? [...metadata] : Object.entries(metadata);
  for (const [k, v] of entries) {
    if (typeof v !== "string") fail("INVALID_METADATA", { detail: `__metadata__[${JSON.stringify(k)}] is not a string` });
    checkWellFormed(k, "a __metadata__ key");
    checkWellFormed(v, `__metadata__[${JSON.stringify(k)}]`);
  }
  return entries;
}

function prepare(tensors: readonly TensorToWrite[], metadata: SafetensorsMetadata | undefined): Prepared {
  const seen = new Set<string>();
  const keyed = tensors.map((t) => {
    checkTensorName(t.name, DEFAULT_LIMITS, {});
    checkWellFormed(t.name, "the name", t.name);
    if (t.name === "__metadata__") fail("INVALID_HEADER", { tensor: t.name, detail: "'__metadata__' is reserved" });
    if (seen.has(t.name)) fail("DUPLICATE_KEY", { tensor: t.name, detail: "two tensors with this name" });
    seen.add(t.name);
    const bytes = expectedBytes(t);
    if (typeof t.data !== "function") requireLength(t, t.data, bytes);
    return { t, bytes, nameBytes: encoder.encode(t.name) };
  });
  keyed.sort((a, b) => dtypeOrder(b.t.dtype) - dtypeOrder(a.t.dtype) || compareBytes(a.nameBytes, b.nameBytes));

  const parts: string[] = [];
  if (metadata !== undefined) {
    const meta = metadataEntries(metadata).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    parts.push(`"__metadata__":{${meta.join(",")}}`);
  }
  let offset = 0;
  for (const { t, bytes } of keyed) {
    const end = offset + bytes;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = encoder.encode(`{${parts.join(",")}}`);
  const n = json.length + ((8 - (json.length % 8)) % 8);
  const header = new Uint8Array(8 + n).fill(0x20, 8 + json.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(n), true);
  header.set(json, 8);
  return { header, ordered: keyed.map((k) => ({ t: k.t, bytes: k.bytes })), dataBytes: offset };
}

function requireLength(t: TensorToWrite, data: Uint8Array, bytes: number): Uint8Array {
  if (data.length !== bytes) fail("TENSOR_INVALID_INFO", { tensor: t.name, detail: `${t.dtype} [${t.shape.join(", ")}] needs ${bytes} bytes, data has ${data.length}` });
  return data;
}

/** The whole file in memory (small files, tests). */
export function serializeSafetensors(tensors: readonly TensorToWrite[], metadata?: SafetensorsMetadata): Uint8Array {
  const { header, ordered, dataBytes } = prepare(tensors, metadata);
  const out = new Uint8Array(header.length + dataBytes);
  out.set(header, 0);
  let pos = header.length;
  for (const { t, bytes } of ordered) {
    if (typeof t.data === "function") fail("USAGE", { tensor: t.name, detail: "serializeSafetensors needs the bytes of every tensor; writeSafetensors takes functions" });
    out.set(t.data, pos);
    pos += bytes;
  }
  return out;
}

/** Writes the file atomically (temporary file, then rename), tensor by tensor (lazy data produced in write order). */
export async function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata?: SafetensorsMetadata): Promise<void> {
  const { header, ordered } = prepare(tensors, metadata);
  await writeFileAtomically(path, async (sink) => {
    await sink.write(header);
    for (const { t, bytes } of ordered) await sink.write(typeof t.data === "function" ? requireLength(t, await t.data(), bytes) : t.data);
  });
}
