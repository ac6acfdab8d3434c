/**
 * Rejecting bytes a packer never writes. Each layout describes the byte values it can produce as a
 * 256-entry table; one pass over a byte range finds the first offender.
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
