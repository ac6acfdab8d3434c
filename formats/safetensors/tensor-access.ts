/**
 * The tensor-level API shared by a single file (`openSafetensors`) and a sharded checkpoint
 * (`openCheckpoint`): lookup by name in a Map, on-demand reads of exactly one tensor's bytes.
 */
import { fail } from "../../src/core/errors.js";
import type { ByteSource } from "../../src/core/io.js";
import { float32Decoder, integerDecoder, type IntegerArray } from "./decode.js";
import type { TensorInfo } from "./types.js";

export interface TensorAccess<T extends TensorInfo = TensorInfo> {
  /** Every tensor, in file order (header order; shard by shard for a checkpoint). */
  readonly tensors: readonly T[];
  /** `__metadata__` (string → string). */
  readonly metadata: ReadonlyMap<string, string>;
  /**
   * Metadata entries naming a removed tensor (key, absent) and the tensor kept in its place
   * (value, present), e.g. `model.embed_tokens.weight → lm_head.weight`. Not resolved by `get`.
   */
  readonly aliases: ReadonlyMap<string, string>;
  /** The tensor named exactly `name`, or undefined. */
  get(name: string): T | undefined;
  /**
   * The tensor's raw little-endian bytes: one read of exactly its byte range, returned as the source
   * gives it (a fresh buffer from a file, or a view of `out` when given, see `ByteSource.read`; a
   * view into the buffer of a `bufferSource`).
   */
  readBytes(name: string, out?: Uint8Array): Promise<Uint8Array>;
  /** F32, F16, BF16, F64 → float32 values; other dtypes fail with UNSUPPORTED_DTYPE. */
  readFloat32(name: string): Promise<Float32Array>;
  /** I8 → Int8Array, U8/BOOL → Uint8Array, I16 → Int16Array, I32 → Int32Array; else UNSUPPORTED_DTYPE. */
  readTyped(name: string): Promise<IntegerArray>;
  close(): Promise<void>;
}

/** Aliases among `metadata` for a set of tensor names (spec §1). */
export function findAliases(metadata: ReadonlyMap<string, string>, has: (name: string) => boolean): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const [key, value] of metadata) if (!has(key) && has(value)) aliases.set(key, value);
  return aliases;
}

export interface AccessParts<T extends TensorInfo> {
  tensors: readonly T[];
  metadata: ReadonlyMap<string, string>;
  /** The open source holding `tensor`'s bytes. */
  sourceOf(tensor: T): Promise<ByteSource>;
  close(): Promise<void>;
  /** File name for "not found" errors. */
  file: string;
}

/** Builds the tensor-level API; `tensors` must have unique names. */
export function createTensorAccess<T extends TensorInfo>(parts: AccessParts<T>): TensorAccess<T> {
  const byName = new Map<string, T>(parts.tensors.map((t) => [t.name, t]));
  const aliases = findAliases(parts.metadata, (n) => byName.has(n));
  const require = (name: string): T => {
    const t = byName.get(name);
    if (t) return t;
    const alias = aliases.get(name);
    return fail("TENSOR_NOT_FOUND", {
      file: parts.file,
      tensor: name,
      detail: alias === undefined ? `no such tensor among ${byName.size}` : `it is an alias of '${alias}' (see aliases)`,
    });
  };
  const readBytes = async (name: string, out?: Uint8Array): Promise<Uint8Array> => {
    const t = require(name);
    const source = await parts.sourceOf(t);
    return source.read(t.byteOffset, t.byteLength, out);
  };
  return {
    tensors: parts.tensors,
    metadata: parts.metadata,
    aliases,
    get: (name) => byName.get(name),
    readBytes,
    // The decoder is chosen before reading, so an unsupported dtype costs no I/O.
    readFloat32: async (name) => float32Decoder(require(name).dtype, name)(await readBytes(name)),
    readTyped: async (name) => integerDecoder(require(name).dtype, name)(await readBytes(name)),
    close: parts.close,
  };
}
