/**
 * TL1 decode side (ternary-layouts.md §2): pair indices along K, two per byte (first pair in the
 * high nibble), tiled by (BM, BK, bm) with by = 256/bm. Walking the bytes in storage order, the
 * nesting (outermost first) is M-tile mb, K-block kb, bm sub-tile mo, by sub-block ko, 16-row group
 * mh, pair-of-pairs kq, row ml — so every 16 consecutive bytes are rows m0 … m0+15 of the same four
 * columns k0 … k0+3, with m0 = mb·BM + mo·bm + mh·16 and k0 = kb·BK + ko·by + kq·4. The walkers go
 * through each tile row by row instead (tileOffsets).
 * Payload = M·K/4 packed bytes, zero pad to a multiple of 32, a 32-byte block with the f32 scale first.
 */
import { pad32, readScaleF32, requireLength, requireShape, requireTlParams, type Dims } from "../checks.js";
import { NIBBLE_STRIDE, nibbleLut, pairColumns } from "../lut.js";
import { defineKernel } from "./define-kernel.js";
import { codeWords, PAIR_MAX, PAIR_NIBBLE, PAIR_WORD } from "./tl-pairs.js";
import { nibblesAtMost, requireValidBytes } from "./valid-bytes.js";

const VALID = nibblesAtMost(PAIR_MAX);
const RUN = 16;

interface Tl1Geometry extends Dims {
  BM: number;
  BK: number;
  bm: number;
  by: number;
  packed: number;
}

/**
 * Byte offsets inside one BM × BK tile (a tile's BM·BK/4 bytes are contiguous; tiles go mb-major,
 * then kb): row r of the tile starts at rows[r], and its byte for columns 4c … 4c+3 is at
 * rows[r] + cols[c]. Walking a tile row by row keeps each row's sum in registers.
 */
interface TileOffsets {
  rows: Int32Array;
  cols: Int32Array;
}

function tileOffsets(g: Tl1Geometry): TileOffsets {
  const { BM, BK, bm, by } = g;
  const rows = new Int32Array(BM);
  const cols = new Int32Array(BK / 4);
  // storage nesting mo, ko, mh, kq, ml with sizes BM/bm, BK/by, bm/16, by/4, 16 (bm·by = 256)
  for (let r = 0; r < BM; r++) rows[r] = Math.floor(r / bm) * ((bm * BK) / 4) + Math.floor((r % bm) / RUN) * by * 4 + (r % RUN);
  for (let c = 0; c < BK / 4; c++) cols[c] = Math.floor((4 * c) / by) * ((bm * by) / 4) + ((4 * c) % by) * 4;
  return { rows, cols };
}

export const tl1Kernel = defineKernel<Tl1Geometry>({
  name: "tl1",
  scaleGroup: "row",
  open(bytes, dims, params) {
    const { BM, BK, bm } = requireTlParams(params, "tl1");
    const by = 256 / bm;
    const tiling = `BM=${BM}, BK=${BK}, bm=${bm}`;
    requireShape(bm === 32 || bm === 64, "tl1", dims, `bm must be 32 or 64 (${tiling})`);
    requireShape(dims.M % BM === 0 && BM % bm === 0, "tl1", dims, `needs M % BM == 0 and BM % bm == 0 (${tiling})`);
    requireShape(dims.K % BK === 0 && BK % by === 0, "tl1", dims, `needs K % BK == 0 and BK % by == 0, by = ${by} (${tiling})`);
    const packed = (dims.M * dims.K) / 4;
    requireLength(bytes, pad32(packed) + 32, "tl1", dims);
    requireValidBytes(bytes, 0, packed, VALID, "tl1", "pair index above 8");
    return { M: dims.M, K: dims.K, BM, BK, bm, by, packed };
  },
  scales: (bytes, g) => readScaleF32(bytes, pad32(g.packed)),
  decode(bytes, g, codes) {
    const words = codeWords(codes);
    const { rows, cols } = tileOffsets(g);
    const rowWords = g.K / 4;
    const tileBytes = (g.BM * g.BK) / 4;
    for (let mb = 0, tile = 0; mb < g.M / g.BM; mb++) {
      for (let kb = 0; kb < g.K / g.BK; kb++, tile += tileBytes) {
        for (let r = 0; r < g.BM; r++) {
          const off = tile + rows[r]!;
          const w = (mb * g.BM + r) * rowWords + kb * cols.length;
          for (let c = 0; c < cols.length; c++) words[w + c] = PAIR_WORD[bytes[off + cols[c]!]!]!;
        }
      }
    }
  },
  accumulate(bytes, g, lanes) {
    const lut = nibbleLut(lanes, pairColumns(0, g.K / 2), PAIR_NIBBLE);
    const sums = new Float64Array(2 * g.M);
    const { rows, cols } = tileOffsets(g);
    const tileBytes = (g.BM * g.BK) / 4;
    for (let mb = 0, tile = 0; mb < g.M / g.BM; mb++) {
      for (let kb = 0; kb < g.K / g.BK; kb++, tile += tileBytes) {
        const pos = kb * 2 * cols.length; // columns 4c … 4c+3: pairs 2c (high nibble) and 2c + 1 (low)
        for (let r = 0; r < g.BM; r++) {
          const off = tile + rows[r]!;
          let s0 = 0;
          let s1 = 0;
          for (let c = 0; c < cols.length; c++) {
            const b = bytes[off + cols[c]!]!;
            const x = (pos + 2 * c) * NIBBLE_STRIDE + ((b >> 4) << 1);
            const y = (pos + 2 * c + 1) * NIBBLE_STRIDE + ((b & 15) << 1);
            s0 += lut[x]! + lut[y]!;
            s1 += lut[x + 1]! + lut[y + 1]!;
          }
          const at = 2 * (mb * g.BM + r);
          sums[at] = sums[at]! + s0;
          sums[at + 1] = sums[at + 1]! + s1;
        }
      }
    }
    return sums;
  },
});
