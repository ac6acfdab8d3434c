/**
 * TL1, bitnet.cpp's ARM lookup-table layout (ternary-layouts.md §2; ggml type 38 in the fork).
 * Weight pairs along K become 4-bit indices `3·t0 + t1 + 4` (0…8), two per byte (first pair of
 * the two in the high nibble), tiled by (BM, BK, bm) with by = 256/bm. The payload is the
 * M·K/4 index bytes, zero padding to a multiple of 32, then the 32-byte scale block that the
 * fork's converter writes as its hidden `<name>_scale` tensor (gguf.md §4.2).
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
import { tl1By } from "./tl-constraints.js";
import { requireTlParams } from "./tl-presets.js";
import type { LayoutParams, TernaryTensor, TlParams } from "./types.js";

const NAME = "TL1";

/** Byte positions split into a per-row and a per-pair part: byte = row[m] + pair[p]. */
interface Tl1Plan {
  M: number;
  K: number;
  params: TlParams;
  row: Uint32Array;
  pair: Uint32Array;
  /** 4 for the high nibble (even p), 0 for the low one. */
  shift: Uint8Array;
  dataBytes: number;
  scaleOffset: number;
  totalBytes: number;
}

function plan(shape: readonly number[], layoutParams?: LayoutParams): Tl1Plan {
  const { M, K } = matrixShape(NAME, shape);
  const params = requireTlParams("tl1", M, K, layoutParams);
  const { BM, BK, bm } = params;
  const by = tl1By(bm);
  // Nesting, outermost first: M-tile, K-block, bm sub-tile, by sub-block, 16-row group,
  // pair-of-pairs, row-in-16 (§2.3); strides below are in 16-byte units.
  const nKq = by / 4;
  const sMh = nKq;
  const sKo = (bm / 16) * sMh;
  const sMo = (BK / by) * sKo;
  const sKb = (BM / bm) * sMo;
  const sMb = (K / BK) * sKb;
  const row = new Uint32Array(M);
  for (let m = 0; m < M; m++) {
    const mb = Math.floor(m / BM);
    const mo = Math.floor((m % BM) / bm);
    const mh = Math.floor((m % bm) / 16);
    row[m] = 16 * (mb * sMb + mo * sMo + mh * sMh) + (m % 16);
  }
  const pairs = K / 2;
  const pair = new Uint32Array(pairs);
  const shift = new Uint8Array(pairs);
  for (let p = 0; p < pairs; p++) {
    const kb = Math.floor(p / (BK / 2));
    const ko = Math.floor((p % (BK / 2)) / (by / 2));
    const kq = Math.floor((p % (by / 2)) / 2);
    pair[p] = 16 * (kb * sKb + ko * sKo + kq);
    shift[p] = p % 2 === 0 ? 4 : 0;
  }
  const totalBytes = ggmlTensorBytes(GGML_TYPE.TL1, [K, M]);
  return { M, K, params, row, pair, shift, dataBytes: (M * K) / 4, scaleOffset: totalBytes - SCALE_BLOCK_BYTES, totalBytes };
}

function pack(tensor: TernaryTensor, params?: LayoutParams): Uint8Array {
  const p = plan(tensor.shape, params);
  const scale = tensorScale(NAME, tensor, p);
  const { codes } = tensor;
  const out = new Uint8Array(p.totalBytes);
  for (let m = 0; m < p.M; m++) {
    const base = m * p.K;
    const r = p.row[m]!;
    for (let q = 0; q < p.K / 2; q++) {
      const i = base + 2 * q;
      const t0 = codes[i]!;
      const t1 = codes[i + 1]!;
      if (t0 < -1 || t0 > 1) badTernary(NAME, i, p.K, t0);
      if (t1 < -1 || t1 > 1) badTernary(NAME, i + 1, p.K, t1);
      out[r + p.pair[q]!]! |= (3 * t0 + t1 + 4) << p.shift[q]!;
    }
  }
  writeScale(out, p.scaleOffset, scale);
  return out;
}

function unpack(bytes: Uint8Array, shape: readonly number[], params?: LayoutParams): TernaryTensor {
  const p = plan(shape, params);
  requireByteLength(NAME, bytes, p.totalBytes, p);
  const codes = new Int8Array(p.M * p.K);
  for (let m = 0; m < p.M; m++) {
    const base = m * p.K;
    const r = p.row[m]!;
    for (let q = 0; q < p.K / 2; q++) {
      const at = r + p.pair[q]!;
      const idx = (bytes[at]! >> p.shift[q]!) & 15;
      if (idx > MAX_PAIR_INDEX) {
        fail("INVALID_CODE", {
          offset: at,
          detail: `${NAME} index ${idx} (> ${MAX_PAIR_INDEX}) in the ${p.shift[q] ? "high" : "low"} nibble of byte ${at} (row ${m}, columns ${2 * q}..${2 * q + 1})`,
        });
      }
      codes[base + 2 * q] = PAIR_FIRST[idx]!;
      codes[base + 2 * q + 1] = PAIR_SECOND[idx]!;
    }
  }
  requireZeros(NAME, bytes, p.dataBytes, p.scaleOffset, "padding before the scale");
  return { shape: [p.M, p.K], codes, scales: Float32Array.of(readScale(bytes, p.scaleOffset)) };
}

export const tl1 = defineTlLayout({
  name: "tl1",
  ggmlType: GGML_TYPE.TL1,
  description:
    "bitnet.cpp TL1 (ARM LUT): 4-bit pair indices tiled by (BM, BK, bm), then a 32-byte block with the f32 scale",
  totalBytes: (shape, params) => plan(shape, params).totalBytes,
  pack,
  unpack,
});
