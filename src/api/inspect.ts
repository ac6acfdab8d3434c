/**
 * `inspect`: what is in a model file, from its header alone. The format is detected from the
 * magic bytes; a folder is read as a safetensors checkpoint (single file or sharded); a ternpack
 * container is reported from its manifest (inspect-container.ts).
 */
import { stat } from "node:fs/promises";
import { TernpackError } from "../core/errors.js";
import { withFileSource, type ByteSource } from "../core/io.js";
import { openCheckpoint } from "../../formats/safetensors/index.js";
import { readGgufShard } from "../../formats/gguf/split-set.js";
import { GGUF_MAGIC } from "../../formats/gguf/constants.js";
import type { GgufKv } from "../../formats/gguf/value-types.js";
import { hasContainerMagic } from "../../formats/container/index.js";
import { inspectContainer } from "./inspect-container.js";

export type FileFormat = "gguf" | "safetensors" | "tpk";

export interface InspectTensor {
  name: string;
  /** safetensors dtype (e.g. "BF16") or ggml type name (e.g. "TQ2_0"). */
  type: string;
  /** In the file's own order: PyTorch order for safetensors, ggml dims (ne0 first) for GGUF. */
  shape: number[];
  /** Absolute byte offset of the tensor's data in its file. */
  offset: number;
  nbytes: number;
  /** GGUF and containers. */
  bitsPerWeight?: number;
  /** Containers only: bytes in the file and how they are stored. */
  storedBytes?: number;
  compression?: string;
  /** Sharded checkpoints only: the shard holding the tensor. */
  file?: string;
}

/** A JSON-safe metadata value: 64-bit integers beyond 2^53 become decimal strings. */
export type MetadataValue = string | number | boolean | MetadataValue[];

export interface InspectReport {
  format: FileFormat;
  file: string;
  metadata: Record<string, MetadataValue>;
  tensors: InspectTensor[];
  /** Format-specific header facts (GGUF version, alignment, data offset; checkpoint shards). */
  header: Record<string, MetadataValue>;
}

/** Detects the format from the first bytes of a file. */
export async function detectFormat(source: ByteSource): Promise<FileFormat> {
  if (source.size >= 4) {
    const head = await source.read(0, Math.min(source.size, 9));
    const dv = new DataView(head.buffer, head.byteOffset, head.length);
    if (dv.getUint32(0, true) === GGUF_MAGIC) return "gguf";
    if (hasContainerMagic(head)) return "tpk";
    // safetensors: a u64 header length that fits the file, then JSON starting with '{'.
    if (head.length === 9 && dv.getUint32(4, true) === 0 && head[8] === 0x7b) return "safetensors";
  }
  throw new TernpackError("UNKNOWN_FORMAT", {
    file: source.name,
    offset: 0,
    detail: "expected the GGUF magic 'GGUF', the ternpack container magic or a safetensors header (u64 length, then '{')",
  });
}

function jsonValue(v: unknown): MetadataValue {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, jsonValue);
  if (Array.isArray(v)) return v.map(jsonValue);
  return v as string | number | boolean;
}

function kvValue(kv: GgufKv): MetadataValue {
  return kv.type === 9 ? jsonValue(kv.value.values) : jsonValue(kv.value);
}

async function inspectGguf(path: string): Promise<InspectReport> {
  const gguf = await readGgufShard(path);
  return {
    format: "gguf",
    file: path,
    header: { version: gguf.version, alignment: gguf.alignment, dataOffset: gguf.dataOffset, fileSize: gguf.fileSize, flavor: gguf.flavor },
    metadata: Object.fromEntries([...gguf.kv].map(([k, kv]) => [k, kvValue(kv)])),
    tensors: gguf.tensors.map((t) => ({
      name: t.name,
      type: t.typeName,
      shape: t.dims,
      offset: t.absoluteOffset,
      nbytes: t.nbytes,
      bitsPerWeight: (t.nbytes * 8) / t.dims.reduce((a, b) => a * b, 1),
    })),
  };
}

async function inspectSafetensors(path: string): Promise<InspectReport> {
  const ckpt = await openCheckpoint(path);
  try {
    const sharded = ckpt.indexFile !== undefined;
    return {
      format: "safetensors",
      file: path,
      header: {
        files: [...ckpt.files],
        ...(sharded ? { index: ckpt.indexFile! } : {}),
        totalBytes: ckpt.totalBytes,
        warnings: [...ckpt.warnings],
      },
      metadata: Object.fromEntries(ckpt.metadata),
      tensors: ckpt.tensors.map((t) => ({
        name: t.name,
        type: t.dtype,
        shape: [...t.shape],
        offset: t.byteOffset,
        nbytes: t.byteLength,
        ...(sharded ? { file: t.file } : {}),
      })),
    };
  } finally {
    await ckpt.close();
  }
}

/** Reads the header of a GGUF, container or safetensors file (or a checkpoint folder) and reports what it holds. */
export async function inspect(path: string): Promise<InspectReport> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (cause) {
    throw new TernpackError("IO_ERROR", { file: path, detail: (cause as Error).message, cause });
  }
  if (isDir) return inspectSafetensors(path);
  const format = await withFileSource(path, detectFormat);
  return format === "gguf" ? inspectGguf(path) : format === "tpk" ? inspectContainer(path) : inspectSafetensors(path);
}
