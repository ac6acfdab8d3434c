/**
 * The GGUF header parser: magic, version, counts, KVs, tensor infos (gguf.md §1–§5), validated as
 * strictly as llama.cpp's loader. Pure: it reads only through a ByteSource, in windows.
 */
import { fail } from "../../src/core/errors.js";
import type { ByteSource } from "../../src/core/io.js";
import { alignUp, isPowerOfTwo } from "./align.js";
import { ByteCursor } from "./byte-cursor.js";
import { GGML_MAX_NAME_BYTES, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION } from "./constants.js";
import { resolveTensors, type FlavorOption } from "./flavor.js";
import type { GgufFlavor } from "./ggml-types.js";
import { GENERAL } from "./keys.js";
import { readString, readValue } from "./kv-read.js";
import { MAX_KV_COUNT, MAX_TENSOR_COUNT, MIN_KV_BYTES, MIN_TENSOR_INFO_BYTES } from "./limits.js";
import type { GgufTensorInfo, RawTensorInfo } from "./tensor-table.js";
import { GGML_MAX_DIMS } from "./tensor-bytes.js";
import { GGUF_VALUE_TYPE, ggufValueTypeName, isGgufValueType, type GgufKv } from "./value-types.js";

export interface ReadGgufOptions {
  /** How to read ggml type ids 36–42; default "auto" (rule in `flavor.ts`). */
  flavor?: FlavorOption;
  /** Also read version 2 files (same layout; gguf-py and llama.cpp read them). Default false. */
  allowVersion2?: boolean;
  /** Lenient mode: accept aligned gaps between tensors, as gguf-py does. Default false. */
  allowOffsetGaps?: boolean;
  /** Size of the read window (default 1 MiB); small windows are for tests. */
  windowBytes?: number;
  /**
   * The architecture "auto" assumes when the file has no `general.architecture`: split shards after
   * the first carry only the split keys, so their model's architecture comes from shard 1.
   */
  architecture?: string;
}

export interface GgufFile {
  version: number;
  alignment: number;
  /** The meaning given to type ids 36–42 (see `flavor.ts`). */
  flavor: GgufFlavor;
  /** Every KV in file order. UINT64/INT64 values are bigint; numeric arrays are typed arrays. */
  kv: Map<string, GgufKv>;
  tensors: GgufTensorInfo[];
  /** Absolute offset of the data section. */
  dataOffset: number;
  fileSize: number;
}

function hex(bytes: number): string {
  return [0, 8, 16, 24].map((s) => ((bytes >>> s) & 0xff).toString(16).padStart(2, "0")).join(" ");
}

function checkVersion(version: number, options: ReadGgufOptions, file: string): void {
  if (version === GGUF_VERSION || (version === 2 && options.allowVersion2)) return;
  const why =
    (version & 0xffff) === 0 && version !== 0
      ? `the version field reads ${version} (byte-swapped): a big-endian GGUF, which ternpack does not read`
      : version === 2
        ? "version 2 (pass allowVersion2 to read it)"
        : `version ${version}; ternpack reads version ${GGUF_VERSION}`;
  fail("UNSUPPORTED_VERSION", { file, offset: 4, detail: why });
}

async function readCounts(c: ByteCursor): Promise<{ tensorCount: number; kvCount: number }> {
  await c.ensure(16, "tensor and KV counts");
  const tensorCount = c.u64("LIMIT_EXCEEDED", "tensor_count");
  const kvCount = c.u64("LIMIT_EXCEEDED", "kv_count");
  const file = c.source.name;
  if (tensorCount > MAX_TENSOR_COUNT) fail("LIMIT_EXCEEDED", { file, offset: 8, detail: `tensor_count ${tensorCount} > ${MAX_TENSOR_COUNT}` });
  if (kvCount > MAX_KV_COUNT) fail("LIMIT_EXCEEDED", { file, offset: 16, detail: `kv_count ${kvCount} > ${MAX_KV_COUNT}` });
  const least = c.position + kvCount * MIN_KV_BYTES + tensorCount * MIN_TENSOR_INFO_BYTES;
  if (least > c.fileSize) {
    fail("TRUNCATED", {
      file,
      offset: 8,
      detail: `${kvCount} KVs and ${tensorCount} tensor infos need at least ${least} bytes, the file has ${c.fileSize}`,
    });
  }
  return { tensorCount, kvCount };
}

async function readKvs(c: ByteCursor, count: number): Promise<{ kv: Map<string, GgufKv>; at: Map<string, number> }> {
  const kv = new Map<string, GgufKv>();
  const at = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const recordOffset = c.position;
    const key = await readString(c, `key of KV #${i}`);
    if (kv.has(key)) {
      fail("DUPLICATE_KEY", { file: c.source.name, offset: recordOffset, detail: `key '${key}' appears again as KV #${i}` });
    }
    await c.ensure(4, `value type of '${key}'`);
    const type = c.u32();
    if (!isGgufValueType(type)) {
      fail("INVALID_VALUE_TYPE", { file: c.source.name, offset: c.position - 4, detail: `key '${key}' has value type ${type}` });
    }
    kv.set(key, { type, value: await readValue(c, type, key) } as GgufKv);
    at.set(key, recordOffset);
  }
  return { kv, at };
}

function alignmentOf(kv: Map<string, GgufKv>, at: Map<string, number>, file: string): number {
  const entry = kv.get(GENERAL.ALIGNMENT);
  if (entry === undefined) return GGUF_DEFAULT_ALIGNMENT;
  const offset = at.get(GENERAL.ALIGNMENT);
  if (entry.type !== GGUF_VALUE_TYPE.UINT32) {
    fail("INVALID_ALIGNMENT", { file, offset, detail: `general.alignment has type ${ggufValueTypeName(entry.type)}, must be UINT32` });
  }
  if (!isPowerOfTwo(entry.value)) {
    fail("INVALID_ALIGNMENT", { file, offset, detail: `general.alignment is ${entry.value}, not a power of two` });
  }
  return entry.value;
}

async function readTensorInfos(c: ByteCursor, count: number): Promise<RawTensorInfo[]> {
  const file = c.source.name;
  const names = new Set<string>();
  const raw: RawTensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    const recordOffset = c.position;
    const name = await readString(c, `name of tensor #${i}`);
    const nameBytes = c.position - recordOffset - 8;
    if (nameBytes > GGML_MAX_NAME_BYTES) {
      fail("NAME_TOO_LONG", { file, tensor: name, offset: recordOffset, detail: `tensor name has ${nameBytes} bytes, at most ${GGML_MAX_NAME_BYTES} allowed` });
    }
    if (names.has(name)) fail("DUPLICATE_TENSOR", { file, tensor: name, offset: recordOffset, detail: `tensor #${i} repeats the name` });
    names.add(name);
    await c.ensure(4, `n_dims of '${name}'`);
    const nDims = c.u32();
    if (nDims < 1 || nDims > GGML_MAX_DIMS) {
      fail("INVALID_DIMS", { file, tensor: name, offset: c.position - 4, detail: `n_dims is ${nDims}, must be 1..${GGML_MAX_DIMS}` });
    }
    await c.ensure(8 * nDims + 4 + 8, `dims, type and offset of '${name}'`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.u64("INVALID_DIMS", `ne${d} of '${name}'`));
    const type = c.u32();
    const offset = c.u64("OUT_OF_BOUNDS", `data offset of '${name}'`);
    raw.push({ name, dims, type, offset, recordOffset });
  }
  return raw;
}

/** Parses and validates a GGUF header from `source`; tensor data is not read. */
export async function parseGguf(source: ByteSource, options: ReadGgufOptions = {}): Promise<GgufFile> {
  const file = source.name;
  const c = new ByteCursor(source, options.windowBytes);
  await c.ensure(4, "magic");
  const magic = c.u32();
  if (magic !== GGUF_MAGIC) fail("BAD_MAGIC", { file, offset: 0, detail: `found bytes ${hex(magic)}, expected 47 47 55 46 ("GGUF")` });
  await c.ensure(4, "version");
  const version = c.u32();
  checkVersion(version, options, file);
  const { tensorCount, kvCount } = await readCounts(c);
  const { kv, at } = await readKvs(c, kvCount);
  const alignment = alignmentOf(kv, at, file);
  const raw = await readTensorInfos(c, tensorCount);
  const dataOffset = alignUp(c.position, alignment);
  const arch = kv.get(GENERAL.ARCHITECTURE);
  const architecture = arch?.type === GGUF_VALUE_TYPE.STRING ? arch.value : options.architecture;
  const { flavor, tensors } = resolveTensors(raw, options.flavor ?? "auto", architecture, {
    file,
    alignment,
    dataOffset,
    fileSize: source.size,
    allowOffsetGaps: options.allowOffsetGaps ?? false,
  });
  return { version, alignment, flavor, kv, tensors, dataOffset, fileSize: source.size };
}
