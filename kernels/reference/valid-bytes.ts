/**
 * Rejecting bytes a packer never writes. Each layout describes the byte values it can produce as a
 * 256-entry table; one pass over a byte range finds the first offender. For the long ranges of
 * I2_S and TQ2_0 (no code 3) the rule is checked sixteen bytes at a time in WebAssembly SIMD, for
 * TL1/TL2 four bytes at a time on little-endian words; the table pass runs only to locate an offender.
 */
import { invalidCode } from "../checks.js";
import { twoBitSimd } from "../simd/instance.js";
import type { KernelName } from "../types.js";

/** Bytes a code-3 scan copies into the module per call. */
const SCAN_BYTES = 1 << 16;

/** 1 for byte values `isValid` accepts, 0 otherwise. */
export function byteTable(isValid: (b: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = isValid(b) ? 1 : 0;
  return t;
}

/** Raises INVALID_CODE at the first byte in [start, end) whose value the table rejects. */
export function requireValidBytes(bytes: Uint8Array, start: number, end: number, valid: Uint8Array, layout: KernelName, what: string): void {
  for (let o = start; o < end; o++) {
    if (valid[bytes[o]!] === 0) invalidCode(layout, o, `${what} (byte 0x${bytes[o]!.toString(16).padStart(2, "0")})`);
  }
}

/** 2-bit code fields c = t + 1 (I2_S, TQ2_0): code 3 is never written. */
export const NO_CODE_3 = byteTable((b) => [0, 2, 4, 6].every((s) => ((b >> s) & 3) !== 3));

/** Two 4-bit fields, each at most `max` (TL1 pair indices: 8; TL2 triple magnitudes: 13). */
export function nibblesAtMost(max: number): Uint8Array {
  return byteTable((b) => b >> 4 <= max && (b & 15) <= max);
}

/** The words of [start, end) that lie on 4-byte boundaries of the buffer: bytes [first, first + 4·words.length). */
function alignedWords(bytes: Uint8Array, start: number, end: number): { first: number; words: Uint32Array } {
  const first = start + ((4 - ((bytes.byteOffset + start) % 4)) % 4);
  if (first + 4 > end) return { first: end, words: new Uint32Array(0) };
  return { first, words: new Uint32Array(bytes.buffer, bytes.byteOffset + first, Math.floor((end - first) / 4)) };
}

/** `rejects(w)` is non-zero iff a byte of word w breaks the rule the table describes. */
function requireValidWords(bytes: Uint8Array, start: number, end: number, valid: Uint8Array, layout: KernelName, what: string, rejects: (w: number) => number): void {
  const { first, words } = alignedWords(bytes, start, end);
  const last = first + 4 * words.length;
  requireValidBytes(bytes, start, first, valid, layout, what);
  let bad = 0;
  for (let i = 0; i < words.length; i++) bad |= rejects(words[i]!);
  if (bad !== 0) requireValidBytes(bytes, first, last, valid, layout, what);
  requireValidBytes(bytes, last, end, valid, layout, what);
}

/**
 * requireValidBytes with NO_CODE_3 (a field is 3 where its two bits are both set) over the first
 * `codeBytes` bytes of each of `blocks` blocks of `blockBytes` from `start` (TQ2_0: 64 code bytes,
 * then a 2-byte scale; I2_S: one long block). The module scans (simd/two-bit.wat `code3_block`),
 * sixteen bytes at a time, a chunk of whole blocks per call; the byte pass only locates an offender.
 */
export function requireNoCode3Blocks(bytes: Uint8Array, start: number, blocks: number, blockBytes: number, codeBytes: number, layout: KernelName): void {
  if (codeBytes === 0 || blocks === 0) return;
  if (codeBytes > SCAN_BYTES) {
    if (blocks !== 1) throw new Error(`code 3 scan: ${blocks} blocks of ${codeBytes} code bytes (a long range must be one block)`);
    // one long range (I2_S): as blocks of SCAN_BYTES, the last one shorter
    for (let at = 0; at < codeBytes; at += SCAN_BYTES) requireNoCode3Blocks(bytes, start + at, 1, 0, Math.min(SCAN_BYTES, codeBytes - at), layout);
    return;
  }
  if (codeBytes % 16 !== 0) {
    for (let b = 0; b < blocks; b++) requireValidBytes(bytes, start + b * blockBytes, start + b * blockBytes + codeBytes, NO_CODE_3, layout, "2-bit code 3");
    return;
  }
  const stride = Math.max(blockBytes, codeBytes);
  const perCall = Math.max(1, Math.floor(SCAN_BYTES / stride));
  const { exports, memory, reserve } = twoBitSimd();
  reserve(perCall * stride);
  for (let first = 0; first < blocks; first += perCall) {
    const n = Math.min(perCall, blocks - first);
    const from = start + first * blockBytes;
    new Uint8Array(memory.buffer).set(bytes.subarray(from, from + (n - 1) * blockBytes + codeBytes), 0);
    const bad = exports.code3_block(0, n, blockBytes, codeBytes);
    if (bad >= 0) {
      const at = from + bad * blockBytes;
      requireValidBytes(bytes, at, at + codeBytes, NO_CODE_3, layout, "2-bit code 3");
      throw new Error("code 3 scan: the module found a code 3 that is not there");
    }
  }
}

/** requireValidBytes with nibblesAtMost(max): n + (15 − max) carries into bit 4 exactly when n > max. */
export function requireNibblesAtMost(bytes: Uint8Array, start: number, end: number, max: number, layout: KernelName, what: string): void {
  const bias = (15 - max) * 0x01010101;
  const rejects = (w: number) => (((w & 0x0f0f0f0f) + bias) | (((w >>> 4) & 0x0f0f0f0f) + bias)) & 0x10101010;
  requireValidWords(bytes, start, end, nibblesAtMost(max), layout, what, rejects);
}
