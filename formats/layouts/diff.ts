/** Byte comparison that says where packed data first goes wrong, in layout terms. */
import { fail } from "../../src/core/errors.js";

export interface ByteDifference {
  /** Index of the block holding the first differing byte (`byte div blockBytes`). */
  block: number;
  /** Offset of the first differing byte from the start of the buffers. */
  byte: number;
  /** The two byte values there; -1 where one buffer is shorter than the other. */
  actual: number;
  expected: number;
  /** Mask of the bits that differ in that byte (`actual ^ expected`; 0xff for a missing byte). */
  differingBits: number;
  /** How many blocks hold at least one differing (or missing) byte. */
  badBlocks: number;
}

/** null when the buffers are identical; otherwise the first difference and the damage count. */
export function firstDifference(actual: Uint8Array, expected: Uint8Array, blockBytes: number): ByteDifference | null {
  if (!Number.isSafeInteger(blockBytes) || blockBytes <= 0) {
    fail("USAGE", { detail: `firstDifference: blockBytes must be a positive integer, got ${blockBytes}` });
  }
  const common = Math.min(actual.length, expected.length);
  const total = Math.max(actual.length, expected.length);
  let first = -1;
  let badBlocks = 0;
  for (let i = 0; i < total; i++) {
    if (i < common && actual[i] === expected[i]) continue;
    if (first < 0) first = i;
    badBlocks++;
    i = (Math.floor(i / blockBytes) + 1) * blockBytes - 1; // the rest of this block is already bad
  }
  if (first < 0) return null;
  const a = first < actual.length ? actual[first]! : -1;
  const e = first < expected.length ? expected[first]! : -1;
  return {
    block: Math.floor(first / blockBytes),
    byte: first,
    actual: a,
    expected: e,
    differingBits: a < 0 || e < 0 ? 0xff : a ^ e,
    badBlocks,
  };
}
