/**
 * Rejecting bytes a packer never writes. Each layout describes the byte values it can produce as a
 * 256-entry table; one pass over a byte range finds the first offender. For the long ranges of
 * I2_S and TL1/TL2, the same rules are also checked four bytes at a time on little-endian words,
 * and the table pass runs only to locate an offender.
 */
import { invalidCode } from "../checks.js";
import type { KernelName } from "../types.js";

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

/** requireValidBytes with NO_CODE_3: a field is 3 where its two bits are both set. */
export function requireNoCode3(bytes: Uint8Array, start: number, end: number, layout: KernelName): void {
  requireValidWords(bytes, start, end, NO_CODE_3, layout, "2-bit code 3", (w) => w & (w >>> 1) & 0x55555555);
}

/**
 * requireNoCode3 over the first `codeBytes` bytes of each of `blocks` blocks of `blockBytes` (TQ2_0:
 * 64 code bytes, then a 2-byte scale). Even block sizes keep every block on a 2-byte boundary, so
 * the rule runs on 16-bit halves without a view per block; the byte pass only locates an offender.
 */
export function requireNoCode3Blocks(bytes: Uint8Array, blocks: number, blockBytes: number, codeBytes: number, layout: KernelName): void {
  if (bytes.byteOffset % 2 !== 0 || blockBytes % 2 !== 0 || codeBytes % 2 !== 0) {
    for (let b = 0; b < blocks; b++) requireNoCode3(bytes, b * blockBytes, b * blockBytes + codeBytes, layout);
    return;
  }
  const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, (blocks * blockBytes) / 2);
  const stride = blockBytes / 2;
  for (let b = 0; b < blocks; b++) {
    let bad = 0;
    for (let i = b * stride, end = i + codeBytes / 2; i < end; i++) {
      const h = halves[i]!;
      bad |= h & (h >>> 1) & 0x5555;
    }
    if (bad !== 0) requireValidBytes(bytes, b * blockBytes, b * blockBytes + codeBytes, NO_CODE_3, layout, "2-bit code 3");
  }
}

/** requireValidBytes with nibblesAtMost(max): n + (15 − max) carries into bit 4 exactly when n > max. */
export function requireNibblesAtMost(bytes: Uint8Array, start: number, end: number, max: number, layout: KernelName, what: string): void {
  const bias = (15 - max) * 0x01010101;
  const rejects = (w: number) => (((w & 0x0f0f0f0f) + bias) | (((w >>> 4) & 0x0f0f0f0f) + bias)) & 0x10101010;
  requireValidWords(bytes, start, end, nibblesAtMost(max), layout, what, rejects);
}
