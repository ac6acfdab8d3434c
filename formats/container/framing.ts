/**
 * The fixed header (first 64 bytes) and footer (last 64 bytes), SPEC.md §2 and §4. The header says
 * what the file is; the footer says where the manifest is and what its SHA-256 must be.
 */
import { fail } from "../../src/core/errors.js";
import { toHex } from "./checksum.js";
import { BLOB_ALIGNMENT, CONTAINER_VERSION, FOOTER_BYTES, FOOTER_MAGIC, HEADER_BYTES, HEADER_MAGIC, MAX_MANIFEST_BYTES } from "./constants.js";

export interface Footer {
  manifestOffset: number;
  manifestLength: number;
  /** Raw SHA-256 of the manifest bytes. */
  manifestSha256: Uint8Array;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
export const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function putU64(dv: DataView, at: number, value: number): void {
  dv.setUint32(at, value >>> 0, true);
  dv.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
}

function getU64(dv: DataView, at: number, what: string, file: string, base: number): number {
  const value = dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 2 ** 32;
  if (!Number.isSafeInteger(value)) fail("LIMIT_EXCEEDED", { file, offset: base + at, detail: `${what} ${value} is beyond 2^53` });
  return value;
}

export function encodeHeader(): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  out.set(HEADER_MAGIC, 0);
  const dv = view(out);
  dv.setUint32(8, CONTAINER_VERSION, true);
  dv.setUint32(12, HEADER_BYTES, true);
  dv.setUint32(16, BLOB_ALIGNMENT, true);
  return out;
}

/** BAD_MAGIC unless `bytes` starts with the header magic. */
export function checkMagic(bytes: Uint8Array, file: string): void {
  if (!hasContainerMagic(bytes)) {
    fail("BAD_MAGIC", { file, offset: 0, detail: `expected the ternpack container magic ${toHex(HEADER_MAGIC)}, found ${toHex(bytes.subarray(0, 8))}` });
  }
}

/** Whether `bytes` starts with the header magic (format detection). */
export function hasContainerMagic(bytes: Uint8Array): boolean {
  return sameBytes(bytes.subarray(0, 8), HEADER_MAGIC);
}

/** Checks magic, version, sizes and that the reserved bytes are zero. */
export function checkHeader(bytes: Uint8Array, file: string): void {
  checkMagic(bytes, file);
  const dv = view(bytes);
  const version = dv.getUint32(8, true);
  if (version !== CONTAINER_VERSION) fail("UNSUPPORTED_VERSION", { file, offset: 8, detail: `container version ${version}; this ternpack reads version ${CONTAINER_VERSION}` });
  const fields: [number, number, string][] = [
    [12, HEADER_BYTES, "header size"],
    [16, BLOB_ALIGNMENT, "blob alignment"],
  ];
  for (const [at, want, what] of fields) {
    const got = dv.getUint32(at, true);
    if (got !== want) fail("INVALID_HEADER", { file, offset: at, detail: `${what} is ${got}, version ${CONTAINER_VERSION} has ${want}` });
  }
  const reserved = bytes.subarray(20, HEADER_BYTES).findIndex((b) => b !== 0);
  if (reserved >= 0) fail("INVALID_HEADER", { file, offset: 20 + reserved, detail: "reserved header byte is not zero" });
}

export function encodeFooter(f: Footer): Uint8Array {
  const out = new Uint8Array(FOOTER_BYTES);
  const dv = view(out);
  putU64(dv, 0, f.manifestOffset);
  putU64(dv, 8, f.manifestLength);
  out.set(f.manifestSha256, 16);
  dv.setUint32(48, CONTAINER_VERSION, true);
  out.set(FOOTER_MAGIC, 56);
  return out;
}

/** Parses the footer found at absolute offset `base` of a file of `fileSize` bytes. */
export function decodeFooter(bytes: Uint8Array, file: string, base: number, fileSize: number): Footer {
  if (!sameBytes(bytes.subarray(56, 64), FOOTER_MAGIC)) {
    fail("TRUNCATED", { file, offset: base + 56, detail: `no container footer at the end of the file (expected ${toHex(FOOTER_MAGIC)}, found ${toHex(bytes.subarray(56, 64))}): truncated or never finished` });
  }
  const dv = view(bytes);
  const version = dv.getUint32(48, true);
  if (version !== CONTAINER_VERSION) fail("UNSUPPORTED_VERSION", { file, offset: base + 48, detail: `footer says version ${version}, expected ${CONTAINER_VERSION}` });
  if (dv.getUint32(52, true) !== 0) fail("INVALID_HEADER", { file, offset: base + 52, detail: "reserved footer bytes are not zero" });
  const manifestOffset = getU64(dv, 0, "manifest offset", file, base);
  const manifestLength = getU64(dv, 8, "manifest length", file, base);
  if (manifestLength > MAX_MANIFEST_BYTES) fail("LIMIT_EXCEEDED", { file, offset: base + 8, detail: `manifest of ${manifestLength} bytes; at most ${MAX_MANIFEST_BYTES} are read` });
  if (manifestOffset < HEADER_BYTES || manifestOffset + manifestLength !== base) {
    fail("OUT_OF_BOUNDS", { file, offset: base, detail: `manifest at ${manifestOffset} (+${manifestLength} bytes) must lie between the header and the footer at ${base} (file ${fileSize} bytes)` });
  }
  return { manifestOffset, manifestLength, manifestSha256: bytes.slice(16, 48) };
}
