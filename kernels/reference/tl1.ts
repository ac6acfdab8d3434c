/**
 * TL1 decode side (ternary-layouts.md §2): pair indices along K, two per byte (first pair in the
 * high nibble), tiled by (BM, BK, bm) with by = 256/bm. Walking the bytes in storage order, the
 * nesting (outermost first) is M-tile mb, K-block kb, bm sub-tile mo, by sub-block ko, 16-row group
 * mh, pair-of-pairs kq, row ml — so every 16 consecutive bytes are rows m0 … m0+15 of the same four
 * columns k0 … k0+3, with m0 = mb·BM + mo·bm + mh·16 and k0 = kb·BK + ko·by + kq·4. The walkers go
 * through the matrix four rows at a time instead (bandOffsets): rows 4i … 4i+3 of a run are
 * consecutive bytes, so each visit to a cache line of the payload serves four rows.
 * Payload = M·K/4 packed bytes, zero pad to a multiple of 32, a 32-byte block with the f32 scale first.
 */
import { pad32, readScaleF32, requireLength, requireShape, requireTlParams, type Dims } from "../checks.js";
import { NIBBLE_STRIDE, nibbleLut, pairColumns } from "../lut.js";
import { codeWords, defineKernel } from "./define-kernel.js";
import { PAIR_MAX, PAIR_NIBBLE, PAIR_WORD } from "./tl-pairs.js";
import { requireNibblesAtMost } from "./valid-bytes.js";

const RUN = 16;
/** Rows walked together (M is a multiple of bm, so of 4). */
const QUAD = 4;

interface Tl1Geometry extends Dims {
  BM: number;
  BK: number;
  bm: number;
  by: number;
  packed: number;
}

/**
 * Byte offsets inside a band of BM rows (its BM·K/4 bytes are contiguous: tiles go mb-major, then
 * kb, BM·BK/4 bytes each): row r of the band has its byte for columns 4c … 4c+3 at rows[r] + cols[c].
 * Walking the matrix row by row writes codes in order and keeps the rows' sums in registers.
 */
interface BandOffsets {
  rows: Int32Array;
  cols: Int32Array;
}

function bandOffsets(g: Tl1Geometry): BandOffsets {
  const { K, BM, BK, bm, by } = g;
  // inside a tile, storage nesting mo, ko, mh, kq, ml with sizes BM/bm, BK/by, bm/16, by/4, 16 (bm·by = 256)
  const rows = Int32Array.from({ length: BM }, (_, r) => Math.floor(r / bm) * ((bm * BK) / 4) + Math.floor((r % bm) / RUN) * by * 4 + (r % RUN));
  const cols = Int32Array.from({ length: K / 4 }, (_, c) => {
    const [kb, k] = [Math.floor((4 * c) / BK), (4 * c) % BK];
    return kb * ((BM * BK) / 4) + Math.floor(k / by) * ((bm * by) / 4) + (k % by) * 4;
  });
  return { rows, cols };
}

/** Lane h of a byte's two pair-index entries in the nibble table (positions pos/32 and pos/32 + 1). */
function pairSum(lut: Float64Array, pos: number, b: number, h: number): number {
  return lut[pos + ((b >> 4) << 1) + h]! + lut[pos + NIBBLE_STRIDE + ((b & 15) << 1) + h]!;
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
    requireNibblesAtMost(bytes, 0, packed, PAIR_MAX, "tl1", "pair index above 8");
    return { M: dims.M, K: dims.K, BM, BK, bm, by, packed };
  },
  scales: (bytes, g) => readScaleF32(bytes, pad32(g.packed)),
  decode(bytes, g, codes) {
    const words = codeWords(codes);
    const { rows, cols } = bandOffsets(g);
    const rowWords = cols.length;
    for (let m = 0; m < g.M; m += QUAD) {
      const band = Math.floor(m / g.BM);
      const off = band * g.BM * rowWords + rows[m - band * g.BM]!;
      const w = m * rowWords;
      for (let c = 0; c < rowWords; c++) {
        const at = off + cols[c]!;
        words[w + c] = PAIR_WORD[bytes[at]!]!;
        words[w + rowWords + c] = PAIR_WORD[bytes[at + 1]!]!;
        words[w + 2 * rowWords + c] = PAIR_WORD[bytes[at + 2]!]!;
        words[w + 3 * rowWords + c] = PAIR_WORD[bytes[at + 3]!]!;
      }
    }
  },
  accumulate(bytes, g, lanes) {
    const lut = nibbleLut(lanes, pairColumns(0, g.K / 2), PAIR_NIBBLE);
    const sums = new Float64Array(2 * g.M);
    const { rows, cols } = bandOffsets(g);
    for (let m = 0; m < g.M; m += QUAD) {
      const band = Math.floor(m / g.BM);
      const off = band * g.BM * cols.length + rows[m - band * g.BM]!;
      // r<i><h>: row m + i, lane h, kept in registers
      let r00 = 0, r01 = 0, r10 = 0, r11 = 0, r20 = 0, r21 = 0, r30 = 0, r31 = 0;
      for (let c = 0; c < cols.length; c++) {
        const at = off + cols[c]!;
        const pos = 2 * c * NIBBLE_STRIDE; // columns 4c … 4c+3: pair 2c in the high nibble, 2c + 1 in the low one
        const b0 = bytes[at]!;
        const b1 = bytes[at + 1]!;
        const b2 = bytes[at + 2]!;
        const b3 = bytes[at + 3]!;
        r00 += pairSum(lut, pos, b0, 0);
        r01 += pairSum(lut, pos, b0, 1);
        r10 += pairSum(lut, pos, b1, 0);
        r11 += pairSum(lut, pos, b1, 1);
        r20 += pairSum(lut, pos, b2, 0);
        r21 += pairSum(lut, pos, b2, 1);
        r30 += pairSum(lut, pos, b3, 0);
        r31 += pairSum(lut, pos, b3, 1);
      }
      sums[2 * m] = r00;
      sums[2 * m + 1] = r01;
      sums[2 * m + 2] = r10;
      sums[2 * m + 3] = r11;
      sums[2 * m + 4] = r20;
      sums[2 * m + 5] = r21;
      sums[2 * m + 6] = r30;
      sums[2 * m + 7] = r31;
    }
    return sums;
  },
});
