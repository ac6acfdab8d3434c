/**
 * Blob compression (SPEC.md §6): raw DEFLATE (RFC 1951) with fflate, kept only when it pays —
 * at least 1/32 of the blob saved. Packed ternary and CB158 payloads are never tried: their bits
 * are near-uniform and deflate saves under 1% of them (bench/container.ts measures it).
 */
import { deflateSync, inflateSync } from "fflate";
import { fail } from "../../src/core/errors.js";
import type { Compression } from "./constants.js";

/** DEFLATE level: 6 (zlib's default); higher levels gain well under 1% more on F16 weights. */
const LEVEL = 6;
/** A compressed blob is kept only if it saves at least this fraction of the raw bytes. */
export const MIN_SAVING = 1 / 32;
/** Blobs smaller than this are stored raw: the saving would not pay for the extra feature. */
const MIN_BYTES = 256;

export interface StoredBlob {
  stored: Uint8Array;
  compression: Compression;
}

/** `raw` deflated when that saves at least MIN_SAVING of it, else `raw` itself. */
export function compressIfWorthIt(raw: Uint8Array): StoredBlob {
  if (raw.length < MIN_BYTES) return { stored: raw, compression: "none" };
  const deflated = deflateSync(raw, { level: LEVEL });
  return deflated.length <= raw.length * (1 - MIN_SAVING) ? { stored: deflated, compression: "deflate" } : { stored: raw, compression: "none" };
}

/** The blob's bytes after decompression, which must be exactly `length` (checked after the stored bytes' checksum). */
export function decompress(stored: Uint8Array, compression: Compression, length: number, where: { file: string; tensor: string; offset: number }): Uint8Array {
  if (compression === "none") return stored;
  let out: Uint8Array;
  try {
    // One byte of room more than the manifest's length: fflate stops silently at the end of `out`,
    // so a stream that inflates to more than `length` must be seen to overflow, not be cut short.
    out = inflateSync(stored, { out: new Uint8Array(length + 1) });
  } catch (cause) {
    return fail("INVALID_VALUE", { ...where, detail: `the deflate stream does not decode: ${(cause as Error).message}`, cause });
  }
  if (out.length !== length) fail("TENSOR_INVALID_INFO", { ...where, detail: `inflates to ${out.length === length + 1 ? "more than " + length : out.length} bytes, the manifest says ${length}` });
  return out;
}
