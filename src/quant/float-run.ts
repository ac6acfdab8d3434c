/**
 * A tensor's float32 values delivered a window at a time, so that a reduction over a 16-bit
 * checkpoint tensor never needs all of it widened to float32 at once (71 MB for one FFN weight of a
 * 2B model, per worker): the BF16/F16 bytes are widened window by window into a small buffer.
 */
import { decodeHalves } from "../core/half.js";
import type { HalfKind } from "./half-codes.js";

export interface FloatRun {
  readonly length: number;
  /**
   * Elements `[start, start + count)` as an array whose index 0 is element `start`. The contents
   * are valid until the next call (a half run reuses one buffer).
   */
  window(start: number, count: number): Float32Array;
  /** The 16-bit bytes behind a half run, for passes that can work on the bit patterns themselves. */
  readonly halves?: { bytes: Uint8Array; kind: HalfKind };
}

/** A run over float32 values already in memory (windows are views, nothing is copied). */
export function arrayRun(values: Float32Array): FloatRun {
  return { length: values.length, window: (start, count) => values.subarray(start, start + count) };
}

/** Elements widened at a time by a half run: enough to amortise a call, few enough (64 KB) to stay in cache. */
const HALF_CHUNK = 1 << 14;

/**
 * A run over little-endian BF16 or F16 bytes, widened exactly on demand: a chunk of at least
 * HALF_CHUNK elements at a time, from which ascending windows are served without another decode.
 */
export function halfRun(bytes: Uint8Array, kind: HalfKind): FloatRun {
  const length = bytes.length >>> 1;
  let buffer = new Float32Array(0);
  let lo = 0;
  let hi = 0; // buffer holds elements [lo, hi)
  return {
    length,
    halves: { bytes, kind },
    window(start, count) {
      if (start < lo || start + count > hi) {
        const n = Math.min(length - start, Math.max(count, HALF_CHUNK));
        if (buffer.length < n) buffer = new Float32Array(n);
        decodeHalves(bytes.subarray(2 * start, 2 * (start + n)), kind, buffer);
        lo = start;
        hi = start + n;
      }
      return buffer.subarray(start - lo, start - lo + count);
    },
  };
}

export const asRun = (values: Float32Array | FloatRun): FloatRun => (values instanceof Float32Array ? arrayRun(values) : values);
