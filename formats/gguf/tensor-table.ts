/**
 * From the raw tensor-info records to validated tensors: type ids, sizes, the exact-offset rule
 * and file bounds (gguf.md §3–§5), checked in llama.cpp's order (every info before any offset).
 */
import { fail, TernpackError } from "../../src/core/errors.js";
import { alignUp } from "./align.js";
import { ggmlTypeInfo, type GgmlTypeInfo, type GgufFlavor } from "./ggml-types.js";
import { tensorBytesOf } from "./tensor-bytes.js";

/** A tensor-info record as stored, before its type is interpreted. */
export interface RawTensorInfo {
  name: string;
  /** GGUF dims, ne0 first. */
  dims: number[];
  type: number;
  /** Relative to the data section. */
  offset: number;
  /** Where the record starts in the file (for messages). */
  recordOffset: number;
}

export interface GgufTensorInfo {
  name: string;
  /** ggml type id. */
  type: number;
  /** Name of the type in the file's flavor, e.g. "TQ2_0" or "I2_S". */
  typeName: string;
  /** GGUF dims, ne0 (the contiguous row length) first. */
  dims: number[];
  /** Offset relative to the data section. */
  offset: number;
  /** Offset in the file. */
  absoluteOffset: number;
  /** Payload bytes, without alignment padding. */
  nbytes: number;
}

export interface TensorTableContext {
  file: string;
  alignment: number;
  dataOffset: number;
  fileSize: number;
  /** Lenient mode: accept aligned gaps between tensors (gguf-py reads such files); overlaps still fail. */
  allowOffsetGaps: boolean;
}

function typeOf(t: RawTensorInfo, flavor: GgufFlavor, file: string): GgmlTypeInfo {
  const info = ggmlTypeInfo(t.type, flavor);
  if (info !== undefined && info.sizing !== "none") return info;
  const other: GgufFlavor = flavor === "upstream" ? "bitnet.cpp" : "upstream";
  const alt = ggmlTypeInfo(t.type, other);
  const hint = alt !== undefined && alt.sizing !== "none" ? `; in ${other} files it is ${alt.name} (read with flavor '${other}')` : "";
  const why = info === undefined ? `is not a ${flavor} ggml type` : `is ${info.name}, ${info.note}`;
  return fail("INVALID_TYPE_ID", {
    file,
    tensor: t.name,
    offset: t.recordOffset,
    detail: `tensor '${t.name}' has type ${t.type}, which ${why}${hint}`,
  });
}

function sizeOf(t: RawTensorInfo, info: GgmlTypeInfo, file: string): number {
  try {
    return tensorBytesOf(info, t.dims);
  } catch (e) {
    throw e instanceof TernpackError ? e.withContext({ file, tensor: t.name, offset: t.recordOffset }) : e;
  }
}

/** Validates every record as `flavor` would read it; throws the first violation. */
export function buildTensorTable(raw: readonly RawTensorInfo[], flavor: GgufFlavor, ctx: TensorTableContext): GgufTensorInfo[] {
  const sized = raw.map((t) => {
    const info = typeOf(t, flavor, ctx.file);
    return { t, info, nbytes: sizeOf(t, info, ctx.file) };
  });
  let expected = 0;
  return sized.map(({ t, info, nbytes }) => {
    const gapOk = ctx.allowOffsetGaps && t.offset > expected && t.offset % ctx.alignment === 0;
    if (t.offset !== expected && !gapOk) {
      fail("INVALID_TENSOR_OFFSET", {
        file: ctx.file,
        tensor: t.name,
        offset: t.recordOffset,
        detail: `tensor '${t.name}' has offset ${t.offset}, expected ${expected}`,
      });
    }
    const absoluteOffset = ctx.dataOffset + t.offset;
    if (absoluteOffset + nbytes > ctx.fileSize) {
      fail("OUT_OF_BOUNDS", {
        file: ctx.file,
        tensor: t.name,
        offset: absoluteOffset,
        detail: `tensor '${t.name}' data [${absoluteOffset}, ${absoluteOffset + nbytes}) is not within the file bounds (${ctx.fileSize} bytes)`,
      });
    }
    expected = t.offset + alignUp(nbytes, ctx.alignment);
    return { name: t.name, type: t.type, typeName: info.name, dims: t.dims, offset: t.offset, absoluteOffset, nbytes };
  });
}
