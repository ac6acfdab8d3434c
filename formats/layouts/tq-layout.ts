/**
 * What TQ1_0 and TQ2_0 share (llama.cpp, `ternary-layouts.md` §4–§5): 256-element blocks along a
 * row, codes c = t + 1, the f16 scale d in the block's last two bytes, libggml's reference
 * quantizer and `to_float`. Each type only supplies how a block's 256 codes sit in its bytes.
 */
import { fail } from "../../src/core/errors.js";
import { f16BitsFromF32Bits, f16BitsToF32, f16BitsToF32Bits, f32ToF16Bits } from "../../src/core/half.js";
import { roundHalfAway } from "../../src/core/rounding.js";
import {
  elementCount,
  firstNonTernary,
  isNonFiniteF16,
  nonFiniteProductBits,
  readU16,
  requireLength,
  requireRowMultiple,
  writeU16,
} from "./blocks.js";
import { defineLayout } from "./registry.js";
import type { Layout, TernaryTensor } from "./types.js";

export const TQ_BLOCK = 256;

/** How one TQ type stores the 256 codes (each 0, 1 or 2) of a block in its leading bytes. */
export interface TqCodec {
  /**
   * Stores c = t + 1 for the codes t of `blocks` blocks (256 each, in order) in the leading bytes of
   * blocks of `blockBytes` in `out`; returns true when some code is not ternary.
   */
  writeBlocks(codes: Int8Array, blocks: number, out: Uint8Array, blockBytes: number): boolean;
  /** Reads codes the way the reference `to_float` does, without validation. */
  read(bytes: Uint8Array, at: number, codes: Uint8Array): void;
  /** Offset within the block of the first byte the encoder never writes, or -1. */
  firstInvalidByte(bytes: Uint8Array, at: number): number;
  /** Why such a byte is invalid, for the error message. */
  readonly invalidReason: string;
}

/** A layout with the ternary half of the contract present. */
export interface TernaryLayout extends Layout {
  readonly blockBytes: number;
  pack(tensor: TernaryTensor): Uint8Array;
  unpack(bytes: Uint8Array, shape: readonly number[]): TernaryTensor;
}

const FALLBACK =
  "Store it as f16 (what convert_hf_to_gguf.py falls back to) or q8_0 (rows a multiple of 32), or use i2_s (rows a multiple of 128).";

/** Throws LAYOUT_UNSUPPORTED_SHAPE unless rows split into whole 256-element blocks. */
function checkTqShape(layout: string, shape: readonly number[]): void {
  requireRowMultiple(layout, shape, TQ_BLOCK, FALLBACK);
}

/**
 * Per-block scales for packing codes quantized with one per-tensor scale σ: blocks holding any
 * non-zero code get σ, all-zero blocks get 0. Packing these gives the same bytes as running the
 * reference quantizer over the fake-quantized weights t·σ (spec §5.1).
 */
export function blockScalesFromTensorScale(codes: Int8Array, shape: readonly number[], sigma: number): Float32Array {
  checkTqShape("TQ1_0/TQ2_0", shape);
  requireLength("TQ1_0/TQ2_0", "codes", codes.length, elementCount(shape));
  if (!(Number.isFinite(sigma) && sigma > 0)) {
    fail("USAGE", { detail: `per-tensor scale must be finite and positive, got ${sigma}` });
  }
  const scales = new Float32Array(codes.length / TQ_BLOCK);
  for (let b = 0; b < scales.length; b++) {
    const start = b * TQ_BLOCK;
    let j = 0;
    while (j < TQ_BLOCK && codes[start + j] === 0) j++;
    scales[b] = j < TQ_BLOCK ? sigma : 0;
  }
  return scales;
}

/**
 * libggml `quantize_row_tq{1,2}_0_ref` for one block: finds the codes c = lroundf(x·id) + 1 and
 * returns d = max|x| (float32). `MAX` and `d ? 1/d : 0` keep C's behaviour, NaN included. The
 * codes are stored as t = c − 1 with c taken modulo 256 as a uint8_t (so a NaN gives c = 0).
 */
function quantizeBlock(values: Float32Array, start: number, codes: Int8Array): number {
  let amax = 0;
  for (let j = 0; j < TQ_BLOCK; j++) {
    const a = Math.abs(values[start + j]!);
    amax = amax > a ? amax : a;
  }
  const id = amax !== 0 ? Math.fround(1 / amax) : 0;
  for (let j = 0; j < TQ_BLOCK; j++) codes[j] = ((roundHalfAway(Math.fround(values[start + j]! * id)) + 1) & 0xff) - 1;
  return amax;
}

export interface TqSpec {
  name: string;
  ggmlType: number;
  blockBytes: number;
  description: string;
  codec: TqCodec;
}

export function defineTqLayout({ name, ggmlType, blockBytes, description, codec }: TqSpec): TernaryLayout {
  const label = name.toUpperCase();
  const dAt = blockBytes - 2; // d is the block's last field

  function blocksOf(shape: readonly number[]): number {
    checkTqShape(label, shape);
    return elementCount(shape) / TQ_BLOCK;
  }

  function rejectInvalidCodes(bytes: Uint8Array, block: number): void {
    const at = block * blockBytes;
    const bad = codec.firstInvalidByte(bytes, at);
    if (bad < 0) return;
    const value = bytes[at + bad]!.toString(16).padStart(2, "0");
    fail("INVALID_CODE", {
      detail: `${label} block ${block}, byte ${bad} of the block (tensor byte ${at + bad}) = 0x${value}: ${codec.invalidReason}`,
    });
  }

  return defineLayout<TernaryLayout>({
    name,
    kind: "ternary",
    ggmlType,
    blockSize: TQ_BLOCK,
    blockBytes,
    runtime: "llama.cpp",
    description,
    check: (shape) => checkTqShape(label, shape),
    bytesFor: (shape) => blocksOf(shape) * blockBytes,

    encode(values, shape) {
      const blocks = blocksOf(shape);
      requireLength(label, "values", values.length, blocks * TQ_BLOCK);
      const out = new Uint8Array(blocks * blockBytes);
      const codes = new Int8Array(blocks * TQ_BLOCK);
      const d = new Float32Array(blocks);
      for (let b = 0; b < blocks; b++) d[b] = quantizeBlock(values, b * TQ_BLOCK, codes.subarray(b * TQ_BLOCK));
      codec.writeBlocks(codes, blocks, out, blockBytes);
      for (let b = 0; b < blocks; b++) writeU16(out, b * blockBytes + dAt, f32ToF16Bits(d[b]!));
      return out;
    },

    decode(bytes, shape) {
      const blocks = blocksOf(shape);
      requireLength(label, "bytes", bytes.length, blocks * blockBytes);
      const out = new Float32Array(blocks * TQ_BLOCK);
      const outBits = new Uint32Array(out.buffer);
      const codes = new Uint8Array(TQ_BLOCK);
      const table = new Float32Array(4); // value of code c = (c − 1)·d; TQ2_0's unused code 3 reads as 2d
      const tableBits = new Uint32Array(table.buffer);
      for (let b = 0; b < blocks; b++) {
        const h = readU16(bytes, b * blockBytes + dAt);
        const d = f16BitsToF32(h);
        for (let c = 0; c < 4; c++) {
          if (isNonFiniteF16(h)) tableBits[c] = nonFiniteProductBits(c - 1, h);
          else table[c] = (c - 1) * d;
        }
        codec.read(bytes, b * blockBytes, codes);
        const start = b * TQ_BLOCK;
        for (let j = 0; j < TQ_BLOCK; j++) outBits[start + j] = tableBits[codes[j]!]!;
      }
      return out;
    },

    pack({ shape, codes, scales }) {
      const blocks = blocksOf(shape);
      requireLength(label, "codes", codes.length, blocks * TQ_BLOCK);
      requireLength(label, "scales (one per block)", scales.length, blocks);
      const scaleBits = new Uint32Array(scales.buffer, scales.byteOffset, scales.length);
      const out = new Uint8Array(blocks * blockBytes);
      const bad = codec.writeBlocks(codes, blocks, out, blockBytes);
      for (let b = 0; b < blocks; b++) writeU16(out, b * blockBytes + dAt, f16BitsFromF32Bits(scaleBits[b]!));
      if (bad) {
        const i = firstNonTernary(codes);
        fail("INVALID_TERNARY", { detail: `${label}: code ${codes[i]} at element ${i}` });
      }
      return out;
    },

    unpack(bytes, shape) {
      const blocks = blocksOf(shape);
      requireLength(label, "bytes", bytes.length, blocks * blockBytes);
      const codes = new Int8Array(blocks * TQ_BLOCK);
      const scales = new Float32Array(blocks);
      const scaleBits = new Uint32Array(scales.buffer);
      const block = new Uint8Array(TQ_BLOCK);
      for (let b = 0; b < blocks; b++) {
        rejectInvalidCodes(bytes, b);
        codec.read(bytes, b * blockBytes, block);
        const start = b * TQ_BLOCK;
        for (let j = 0; j < TQ_BLOCK; j++) codes[start + j] = block[j]! - 1;
        scaleBits[b] = f16BitsToF32Bits(readU16(bytes, b * blockBytes + dAt));
      }
      return { shape: [...shape], codes, scales };
    },
  });
}
