/**
 * The bytes of a ternary payload that carry no data (ternary-layouts.md §1.2, §2.4, §3.5–§3.6):
 *   I2_S: the 28 tail bytes after the f32 scale at n/4;
 *   TL1:  zero padding from M·K/4 to pad32(M·K/4), then the 28 bytes after the scale;
 *   TL2:  zero padding from the end of [index][sign][pairs] to L and on to pad32(L), then the 28
 *         bytes after the scale;
 *   TQ1_0 / TQ2_0: none (every byte is a code byte or the f16 d).
 * Runtimes never read them, but ternpack writes them as zeros, so a verifier that checks them
 * makes every bit of a payload matter. Call this after the kernel has accepted shape and params.
 */
import { matrixDims, pad32, requireLength, requireTlParams } from "./checks.js";
import { tl2PaddedLength } from "./tl2-length.js";
import type { KernelName, MatrixShape, TlParams } from "./types.js";

export interface ReservedRange {
  /** First reserved byte (payload offset). */
  start: number;
  /** One past the last reserved byte. */
  end: number;
  what: string;
}

export interface ReservedBytes {
  /** Payload length in bytes. */
  length: number;
  /** Offset of the per-tensor f32 scale (I2_S, TL1, TL2); undefined for TQ (the d fields are per block). */
  scaleOffset?: number;
  /** Non-empty reserved ranges, ascending. */
  ranges: ReservedRange[];
}

export interface ReservedViolation {
  offset: number;
  value: number;
  what: string;
}

const TQ_BLOCK_BYTES = { tq1_0: 54, tq2_0: 66 } as const;
const SCALE_BLOCK = 32;
const SCALE_BYTES = 4;

/** A scale block at `scaleOffset` preceded by zero padding from `dataEnd`. */
function scaleBlockLayout(label: string, dataEnd: number, scaleOffset: number, padWhat: string): ReservedBytes {
  const ranges: ReservedRange[] = [
    { start: dataEnd, end: scaleOffset, what: `${label} ${padWhat}` },
    { start: scaleOffset + SCALE_BYTES, end: scaleOffset + SCALE_BLOCK, what: `${label} scale block after the f32 scale` },
  ];
  return { length: scaleOffset + SCALE_BLOCK, scaleOffset, ranges: ranges.filter((r) => r.end > r.start) };
}

/** Where the reserved bytes of a payload of this layout and shape are. */
export function reservedBytes(name: KernelName, shape: MatrixShape, params?: TlParams): ReservedBytes {
  const { M, K } = matrixDims(shape, name);
  switch (name) {
    case "i2_s": {
      const codeBytes = (M * K) / 4;
      return scaleBlockLayout("i2_s", codeBytes, codeBytes, "padding before the scale (none)");
    }
    case "tl1": {
      requireTlParams(params, name);
      const packed = (M * K) / 4;
      return scaleBlockLayout("tl1", packed, pad32(packed), "zero padding before the scale block");
    }
    case "tl2": {
      const { BK } = requireTlParams(params, name);
      const K3 = Math.floor(K / BK) * BK;
      const dataEnd = (M * K3) / 6 + (M * K3) / 24 + (M * (K - K3)) / 4;
      return scaleBlockLayout("tl2", dataEnd, pad32(tl2PaddedLength(M, K)), "zero padding to L and to 32");
    }
    case "tq1_0":
    case "tq2_0":
      return { length: ((M * K) / 256) * TQ_BLOCK_BYTES[name], ranges: [] };
  }
}

/** The first non-zero reserved byte, or null; SHAPE_MISMATCH when the payload has the wrong length. */
export function firstNonZeroReserved(bytes: Uint8Array, name: KernelName, shape: MatrixShape, params?: TlParams): ReservedViolation | null {
  const layout = reservedBytes(name, shape, params);
  requireLength(bytes, layout.length, name, matrixDims(shape, name));
  for (const { start, end, what } of layout.ranges) {
    for (let i = start; i < end; i++) {
      if (bytes[i] !== 0) return { offset: i, value: bytes[i]!, what };
    }
  }
  return null;
}
