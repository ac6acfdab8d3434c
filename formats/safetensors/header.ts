/**
 * Reading and validating a safetensors header (spec §3 in the crate's order, plus §6):
 * two reads — the 8-byte length, then exactly N header bytes — and no tensor data.
 */
import { fail } from "../../src/core/errors.js";
import type { ByteSource } from "../../src/core/io.js";
import { validateLayout } from "./header-layout.js";
import { readHeaderSchema } from "./header-schema.js";
import { JsonObject, parseJson } from "./json.js";
import { resolveLimits, type SafetensorsLimits } from "./limits.js";
import type { ParsedHeader } from "./types.js";

/** N from the file's first (up to) 8 bytes, u64 LE, checked against the cap and the file size (rows 1–3). */
export function parseHeaderLength(prefix: Uint8Array, fileSize: number, file: string, limits: SafetensorsLimits): number {
  if (prefix.length < 8) fail("HEADER_TOO_SMALL", { file, detail: `file has ${fileSize} bytes, the header length alone needs 8` });
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(limits.maxHeaderBytes)) {
    fail("HEADER_TOO_LARGE", { file, offset: 0, detail: `header length ${n} exceeds the cap of ${limits.maxHeaderBytes}` });
  }
  const headerLength = Number(n);
  if (8 + headerLength > fileSize) {
    fail("INVALID_HEADER_LENGTH", { file, offset: 0, detail: `header length ${headerLength} needs ${8 + headerLength} bytes, file has ${fileSize}` });
  }
  return headerLength;
}

// ignoreBOM keeps a leading U+FEFF in the text, so it fails the '{' check instead of vanishing.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Validates the N header bytes (rows 4–11 and §6) for a file of `fileSize` bytes. */
export function parseHeaderBytes(header: Uint8Array, fileSize: number, file: string, limits: SafetensorsLimits): ParsedHeader {
  let text: string;
  try {
    text = utf8.decode(header);
  } catch {
    const at = firstInvalidUtf8(header);
    fail("INVALID_UTF8", { file, offset: 8 + at, detail: `invalid UTF-8 sequence at header byte ${at}` });
  }
  if (text[0] !== "{") {
    fail("INVALID_HEADER_START", {
      file,
      offset: 8,
      detail: text.length === 0 ? "header is empty" : `header starts with ${JSON.stringify(text.slice(0, 1))}, expected '{'`,
    });
  }
  const jsonCtx = { file, baseOffset: 8, syntaxCode: "INVALID_JSON" as const, maxDepth: limits.maxJsonDepth };
  const root = parseJson(text, jsonCtx);
  if (!(root instanceof JsonObject)) fail("INVALID_HEADER_START", { file, offset: 8, detail: "header is not a JSON object" });
  const raw = readHeaderSchema(root, text, jsonCtx, limits);
  const tensors = validateLayout(raw.tensors, { file, headerLength: header.length, fileSize });
  return { headerLength: header.length, tensors, metadata: raw.metadata };
}

/** Reads and validates the header of `source`: reads 8 + N bytes, nothing else. */
export async function readSafetensorsHeader(source: ByteSource, limits: Partial<SafetensorsLimits> = {}): Promise<ParsedHeader> {
  const resolved = resolveLimits(limits);
  const file = source.name;
  const n = parseHeaderLength(await source.read(0, Math.min(8, source.size)), source.size, file, resolved);
  return parseHeaderBytes(await source.read(8, n), source.size, file, resolved);
}

/** Index of the first byte where `bytes` stops being valid UTF-8 (for the error message only). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      utf8.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return i;
}
