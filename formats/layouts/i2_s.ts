/**
 * I2_S, bitnet.cpp's flat 2-bit layout (ternary-layouts.md §1; ggml type 36 in the fork).
 * The row-major matrix is cut into 128-element blocks of 32 bytes; byte gp of a block holds
 * elements gp, gp+32, gp+64, gp+96 at shifts 6, 4, 2, 0 (MSB first), code c = t + 1. After the
 * n/4 code bytes comes a 32-byte tail: the f32 LE scale, then 28 zeros (written as zeros, never
 * checked on read: llama-quantize leaves them uninitialised). Only the canonical 128/32 blocks are
 * written, never the 2025 ARM 64/16 variant.
 */
import { fail } from "../../src/core/errors.js";
import { firstNonTernary } from "./blocks.js";
import { packRuns } from "./two-bit-pack.js";
import { roundHalfEven } from "../../src/core/rounding.js";
import { GGML_TYPE } from "../gguf/ggml-types.js";
import { ggmlTensorBytes } from "../gguf/tensor-bytes.js";
import { defineLayout } from "./registry.js";
import {
  ZERO_THRESHOLD,
  badTernary,
  dequantize,
  matrixShape,
  readScale,
  requireByteLength,
  requireFinite,
  tensorScale,
  writeScale,
  type Matrix,
} from "./tl-common.js";
import type { TernaryTensor } from "./types.js";

const NAME = "I2_S";
const BLOCK = 128;
const BLOCK_BYTES = 32;
/** What BitNet's fake-quant path stores when a tensor has no non-zero weight. */
const ALL_ZERO_SCALE = Math.fround(1e-5);

function matrix(shape: readonly number[]): Matrix {
  const m = matrixShape(NAME, shape);
  if (m.K % BLOCK !== 0) {
    fail("LAYOUT_UNSUPPORTED_SHAPE", {
      detail:
        `${NAME} needs K % ${BLOCK} == 0, got K=${m.K} (K mod ${BLOCK} = ${m.K % BLOCK}): bitnet.cpp's x86 kernel ` +
        `processes only floor(K/${BLOCK}) whole blocks per row and silently drops the rest, so the results would ` +
        `be wrong; store this tensor as F16 or Q8_0 instead (per-tensor fallback)`,
    });
  }
  return m;
}

function size({ M, K }: Matrix): number {
  return ggmlTensorBytes(GGML_TYPE.I2_S, [K, M]);
}

function pack(tensor: TernaryTensor): Uint8Array {
  const shape = matrix(tensor.shape);
  const scale = tensorScale(NAME, tensor, shape);
  const { codes } = tensor;
  const n = codes.length;
  const out = new Uint8Array(size(shape));
  // Blocks of 128 codes are single 32-byte runs, the first element of each quarter in the top bits.
  const bad = packRuns(codes, { blocks: n / BLOCK, blockBytes: BLOCK_BYTES, perBlock: 1 }, true, out);
  if (bad) {
    const i = firstNonTernary(codes);
    badTernary(NAME, i, shape.K, codes[i]!);
  }
  writeScale(out, n / 4, scale);
  return out;
}

function unpack(bytes: Uint8Array, shape: readonly number[]): TernaryTensor {
  const m = matrix(shape);
  requireByteLength(NAME, bytes, size(m), m);
  const n = m.M * m.K;
  const codes = new Int8Array(n);
  for (let blk = 0; blk < n / BLOCK; blk++) {
    const base = blk * BLOCK;
    for (let gp = 0; gp < 32; gp++) {
      const at = blk * BLOCK_BYTES + gp;
      const byte = bytes[at]!;
      for (let g = 0; g < 4; g++) {
        const c = (byte >> (6 - 2 * g)) & 3;
        if (c === 3) {
          fail("INVALID_CODE", {
            offset: at,
            detail: `${NAME} code 3 in block ${blk}, byte ${at} (bits ${7 - 2 * g}..${6 - 2 * g}, element ${base + 32 * g + gp}); only 0, 1, 2 are written`,
          });
        }
        codes[base + 32 * g + gp] = c - 1;
      }
    }
  }
  return { shape: [m.M, m.K], codes, scales: Float32Array.of(readScale(bytes, n / 4)) };
}

/**
 * BitNet's `quantize_to_i2_s` on fake-quantized floats (`ternary × scale`, the converter's
 * non-override path): scale = |w| of the first weight in row-major order with |w| > 1e-6
 * (float32), or 1e-5 when there is none; t = clamp(roundHalfEven(f32(w / scale)), −1, 1).
 * On `t·s` input this gives back t and s exactly (the golden vectors check it); on other floats
 * it is ternpack's reading of that path, not a BitNet-verified rule.
 */
function quantize(values: Float32Array, shape: Matrix): TernaryTensor {
  requireFinite(NAME, values, shape);
  let scale = ALL_ZERO_SCALE;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > ZERO_THRESHOLD) {
      scale = a;
      break;
    }
  }
  const codes = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const t = roundHalfEven(Math.fround(values[i]! / scale));
    codes[i] = t > 1 ? 1 : t < -1 ? -1 : t;
  }
  return { shape: [shape.M, shape.K], codes, scales: Float32Array.of(scale) };
}

export const i2_s = defineLayout({
  name: "i2_s",
  kind: "ternary",
  ggmlType: GGML_TYPE.I2_S,
  blockSize: BLOCK,
  runtime: "bitnet.cpp",
  description:
    "bitnet.cpp I2_S: 2-bit codes t+1 in flat 128-element / 32-byte blocks (MSB first), one f32 scale in a 32-byte tail",
  check(shape) {
    matrix(shape);
  },
  bytesFor(shape) {
    return size(matrix(shape));
  },
  encode(values, shape) {
    return pack(quantize(values, matrix(shape)));
  },
  decode(bytes, shape) {
    return dequantize(unpack(bytes, shape));
  },
  pack,
  unpack,
});
