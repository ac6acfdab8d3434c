/**
 * Q8_0 (ggml type 8): 34 bytes per 32 elements, f16 d first, then 32 × int8 (gguf.md §4.1).
 * The near-lossless fallback for ternary tensors TQ cannot hold (127·f16(s/127) ≈ s).
 */
import { f16BitsToF32, f32ToF16Bits } from "../../src/core/half.js";
import { roundHalfAway } from "../../src/core/rounding.js";
import { GGML_TYPE } from "../gguf/constants.js";
import {
  elementCount,
  isNonFiniteF16,
  nonFiniteProductBits,
  readU16,
  requireLength,
  requireRowMultiple,
  writeU16,
} from "./blocks.js";
import { defineLayout } from "./registry.js";

const QK = 32;
const BLOCK_BYTES = 2 + QK;

function blocksOf(shape: readonly number[]): number {
  requireRowMultiple("Q8_0", shape, QK, "Store it as f16 instead.");
  return elementCount(shape) / QK;
}

export const q8_0Layout = defineLayout({
  name: "q8_0",
  kind: "quantized",
  ggmlType: GGML_TYPE.Q8_0,
  blockSize: QK,
  blockBytes: BLOCK_BYTES,
  runtime: "llama.cpp, bitnet.cpp",
  description: "ggml Q8_0: 32-element row blocks, f16 scale first, then 32 int8 (8.5 bpw)",
  check(shape: readonly number[]) {
    blocksOf(shape);
  },
  bytesFor: (shape: readonly number[]) => blocksOf(shape) * BLOCK_BYTES,

  /** libggml `quantize_row_q8_0_ref`: d = amax/127, id = d ? 1/d : 0, q = roundf(x·id), in float32. */
  encode(values: Float32Array, shape: readonly number[]): Uint8Array {
    const blocks = blocksOf(shape);
    requireLength("Q8_0", "values", values.length, blocks * QK);
    const out = new Uint8Array(blocks * BLOCK_BYTES);
    for (let b = 0; b < blocks; b++) {
      const start = b * QK;
      let amax = 0;
      for (let j = 0; j < QK; j++) {
        const a = Math.abs(values[start + j]!);
        amax = amax > a ? amax : a; // C's MAX(amax, fabsf(v))
      }
      const d = Math.fround(amax / 127);
      const id = d !== 0 ? Math.fround(1 / d) : 0;
      const at = b * BLOCK_BYTES;
      writeU16(out, at, f32ToF16Bits(d));
      for (let j = 0; j < QK; j++) out[at + 2 + j] = roundHalfAway(Math.fround(values[start + j]! * id)) & 0xff;
    }
    return out;
  },

  /** libggml `dequantize_row_q8_0`: q·f32(d) (exact in float32 for finite d). */
  decode(bytes: Uint8Array, shape: readonly number[]): Float32Array {
    const blocks = blocksOf(shape);
    requireLength("Q8_0", "bytes", bytes.length, blocks * BLOCK_BYTES);
    const out = new Float32Array(blocks * QK);
    const outBits = new Uint32Array(out.buffer);
    for (let b = 0; b < blocks; b++) {
      const at = b * BLOCK_BYTES;
      const h = readU16(bytes, at);
      const d = f16BitsToF32(h);
      const finite = !isNonFiniteF16(h);
      for (let j = 0; j < QK; j++) {
        const q = (bytes[at + 2 + j]! << 24) >> 24; // int8
        if (finite) out[b * QK + j] = q * d;
        else outBits[b * QK + j] = nonFiniteProductBits(q, h);
      }
    }
    return out;
  },
});
