/**
 * TL2, bitnet.cpp's x86 lookup-table layout (ternary-layouts.md §3; ggml type 39 in the
 * 2024–2025 fork). The first K3 = floor(K/BK)·BK columns go as weight triples (4-bit |9·t0 +
 * 3·t1 + t2| plus a sign bit), the K2 tail as TL1-style pairs, in three areas [index][sign][two],
 * then zero padding to the converter's formula length L, zero padding to 32, and the 32-byte
 * scale block of the hidden `<name>_scale` tensor: `pad32(L) + 32` bytes in all.
 */
import { fail } from "../../src/core/errors.js";
import { GGML_TYPE } from "../gguf/ggml-types.js";
import { ggmlTensorBytes } from "../gguf/tensor-bytes.js";
import {
  MAX_PAIR_INDEX,
  PAIR_FIRST,
  PAIR_SECOND,
  SCALE_BLOCK_BYTES,
  badTernary,
  defineTlLayout,
  dequantize,
  matrixShape,
  readScale,
  requireByteLength,
  requireZeros,
  tensorScale,
  tlTransform,
  writeScale,
} from "./tl-common.js";
import { tl2AreaBytes, tl2Split } from "./tl-constraints.js";
import { requireTlParams } from "./tl-presets.js";
import type { LayoutParams, TernaryTensor } from "./types.js";

const NAME = "TL2";
const MAX_TRIPLE = 13;

/** Balanced-ternary triple value v ∈ [−13, 13] (indexed v + 13) back to its codes. */
const TRIPLE = [0, 1, 2].map((d) =>
  Int8Array.from({ length: 27 }, (_, i) => (Math.floor(i / 3 ** (2 - d)) % 3) - 1),
) as [Int8Array, Int8Array, Int8Array];

/** Byte (and nibble/bit) positions, split into a per-row and a per-column part. */
interface Tl2Plan {
  M: number;
  K: number;
  K3: number;
  K2: number;
  idxRow: Uint32Array;
  idxCol: Uint32Array;
  idxShift: Uint8Array;
  signRow: Uint32Array;
  /** mi div 16: which half of the 32 rows, subtracted from the column's bit number. */
  signHalf: Uint8Array;
  signCol: Uint32Array;
  signBit: Uint8Array;
  twoRow: Uint32Array;
  twoCol: Uint32Array;
  twoShift: Uint8Array;
  dataBytes: number;
  scaleOffset: number;
  totalBytes: number;
}

/** §3.3: 8-byte chunks 0, 1, 2, 3 of each 32-byte group hold rows mi div 8 = 0, 2, 1, 3. */
function swappedPos(mi: number): number {
  const chunk = mi >> 3;
  return (chunk === 1 ? 2 : chunk === 2 ? 1 : chunk) * 8 + (mi & 7);
}

function plan(shape: readonly number[], layoutParams?: LayoutParams): Tl2Plan {
  const { M, K } = matrixShape(NAME, shape);
  const { BM, BK } = requireTlParams("tl2", M, K, layoutParams);
  const { K3, K2 } = tl2Split(K, BK);
  const area = tl2AreaBytes(M, K, BK);
  const nKb = K3 / BK;
  const nMo = BM / 32;
  const idxGroups = BK / 6;
  const signGroups = BK / 24;
  const twoBase = area.index + area.sign;

  const idxRow = new Uint32Array(M);
  const signRow = new Uint32Array(M);
  const signHalf = new Uint8Array(M);
  const twoRow = new Uint32Array(M);
  for (let m = 0; m < M; m++) {
    const mb = Math.floor(m / BM);
    const mo = Math.floor((m % BM) / 32);
    const mi = m % 32;
    const pos = swappedPos(mi);
    idxRow[m] = 32 * (mb * nKb * nMo + mo) * idxGroups + pos;
    signRow[m] = area.index + 32 * (mb * nKb * nMo + mo) * signGroups + 2 * (mi & 15);
    signHalf[m] = mi >> 4;
    twoRow[m] = twoBase + 32 * 8 * (mb * (K2 / 32) * nMo + mo) + pos;
  }

  const triples = K3 / 3;
  const idxCol = new Uint32Array(triples);
  const idxShift = new Uint8Array(triples);
  const signCol = new Uint32Array(triples);
  const signBit = new Uint8Array(triples);
  for (let j = 0; j < triples; j++) {
    const kb = Math.floor(j / (BK / 3));
    const kt = j % (BK / 3);
    idxCol[j] = 32 * (kb * nMo * idxGroups + (kt >> 1));
    idxShift[j] = kt % 2 === 0 ? 4 : 0;
    // Sign bit b = 15 − (2·kts + mi div 16) of LE u16 word mi mod 16: the high byte when b ≥ 8.
    const kts = kt % 8;
    signCol[j] = 32 * (kb * nMo * signGroups + (kt >> 3)) + (kts < 4 ? 1 : 0);
    signBit[j] = 7 - 2 * (kts & 3);
  }

  const pairs = K2 / 2;
  const twoCol = new Uint32Array(pairs);
  const twoShift = new Uint8Array(pairs);
  for (let q = 0; q < pairs; q++) {
    twoCol[q] = 32 * ((q >> 4) * nMo * 8 + ((q & 15) >> 1));
    twoShift[q] = q % 2 === 0 ? 4 : 0;
  }

  const totalBytes = ggmlTensorBytes(GGML_TYPE.TL2, [K, M]);
  return {
    M, K, K3, K2, idxRow, idxCol, idxShift, signRow, signHalf, signCol, signBit, twoRow, twoCol, twoShift,
    dataBytes: twoBase + area.two,
    scaleOffset: totalBytes - SCALE_BLOCK_BYTES,
    totalBytes,
  };
}

function code(codes: Int8Array, i: number, K: number): number {
  const t = codes[i]!;
  if (t < -1 || t > 1) badTernary(NAME, i, K, t);
  return t;
}

function pack(tensor: TernaryTensor, params?: LayoutParams): Uint8Array {
  const p = plan(tensor.shape, params);
  const scale = tensorScale(NAME, tensor, p);
  const { codes } = tensor;
  const { K } = p;
  const out = new Uint8Array(p.totalBytes);
  for (let m = 0; m < p.M; m++) {
    const base = m * K;
    const ir = p.idxRow[m]!;
    const sr = p.signRow[m]!;
    const half = p.signHalf[m]!;
    for (let j = 0; j < p.K3 / 3; j++) {
      const i = base + 3 * j;
      const v = 9 * code(codes, i, K) + 3 * code(codes, i + 1, K) + code(codes, i + 2, K);
      out[ir + p.idxCol[j]!]! |= Math.abs(v) << p.idxShift[j]!;
      if (v < 0) out[sr + p.signCol[j]!]! |= 1 << (p.signBit[j]! - half);
    }
    const tr = p.twoRow[m]!;
    for (let q = 0; q < p.K2 / 2; q++) {
      const i = base + p.K3 + 2 * q;
      out[tr + p.twoCol[q]!]! |= (3 * code(codes, i, K) + code(codes, i + 1, K) + 4) << p.twoShift[q]!;
    }
  }
  writeScale(out, p.scaleOffset, scale);
  return out;
}

function invalid(at: number, detail: string): never {
  fail("INVALID_CODE", { offset: at, detail: `${NAME} ${detail}` });
}

function unpack(bytes: Uint8Array, shape: readonly number[], params?: LayoutParams): TernaryTensor {
  const p = plan(shape, params);
  requireByteLength(NAME, bytes, p.totalBytes, p);
  const { K } = p;
  const codes = new Int8Array(p.M * K);
  const [T0, T1, T2] = TRIPLE;
  for (let m = 0; m < p.M; m++) {
    const base = m * K;
    const ir = p.idxRow[m]!;
    const sr = p.signRow[m]!;
    const half = p.signHalf[m]!;
    for (let j = 0; j < p.K3 / 3; j++) {
      const at = ir + p.idxCol[j]!;
      const mag = (bytes[at]! >> p.idxShift[j]!) & 15;
      if (mag > MAX_TRIPLE) invalid(at, `triple magnitude ${mag} (> ${MAX_TRIPLE}) in byte ${at} (row ${m}, columns ${3 * j}..${3 * j + 2})`);
      const sAt = sr + p.signCol[j]!;
      const bit = p.signBit[j]! - half;
      const neg = (bytes[sAt]! >> bit) & 1;
      if (neg && mag === 0) invalid(sAt, `sign bit ${bit} of byte ${sAt} is set for a zero triple (row ${m}, columns ${3 * j}..${3 * j + 2})`);
      const v = 13 + (neg ? -mag : mag);
      codes[base + 3 * j] = T0[v]!;
      codes[base + 3 * j + 1] = T1[v]!;
      codes[base + 3 * j + 2] = T2[v]!;
    }
    const tr = p.twoRow[m]!;
    for (let q = 0; q < p.K2 / 2; q++) {
      const at = tr + p.twoCol[q]!;
      const idx = (bytes[at]! >> p.twoShift[q]!) & 15;
      const k0 = p.K3 + 2 * q;
      if (idx > MAX_PAIR_INDEX) invalid(at, `pair index ${idx} (> ${MAX_PAIR_INDEX}) in byte ${at} (row ${m}, columns ${k0}..${k0 + 1})`);
      codes[base + k0] = PAIR_FIRST[idx]!;
      codes[base + k0 + 1] = PAIR_SECOND[idx]!;
    }
  }
  requireZeros(NAME, bytes, p.dataBytes, p.scaleOffset, "zero padding to the formula length and to 32");
  return { shape: [p.M, K], codes, scales: Float32Array.of(readScale(bytes, p.scaleOffset)) };
}

export const tl2 = defineTlLayout({
  name: "tl2",
  ggmlType: GGML_TYPE.TL2,
  description:
    "bitnet.cpp TL2 (x86 LUT): 3-weight groups (4-bit index + sign bit) and a 2-weight tail tiled by (BM, BK), padded, then a 32-byte f32 scale block",
  totalBytes: (shape, params) => plan(shape, params).totalBytes,
  pack,
  unpack,
});
