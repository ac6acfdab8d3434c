/**
 * TL2 decode side (ternary-layouts.md §3). K3 = floor(K/BK)·BK columns as triples, the K2 = K − K3
 * tail as TL1-style pairs; bm = 32. Areas, in order:
 *   index  (M·K3/6 bytes): 32-byte groups in (mb, kb, mo, ko) order, one byte per row of the
 *          32-row sub-tile at the chunk-swapped position, holding |v| of triples 2ko (high nibble)
 *          and 2ko+1 (low) of the K-block, v = 9·t0 + 3·t1 + t2;
 *   sign   (M·K3/24 bytes): 32-byte groups in (mb, kb, mo, ks) order, read as 16 LE u16 words;
 *          the sign of triple kt = 8·ks + kts of sub-tile row mi is bit 15 − (2·kts + mi div 16) of
 *          word mi mod 16 (plain mi, no swap);
 *   pairs  (M·K2/4 bytes): 32-byte groups in (mb, kb2, mo, ko) order, chunk-swapped rows, pair
 *          indices for columns K3 + 32·kb2 + 4·ko + {0,1} (high nibble) and {2,3} (low);
 * zero padding to L = (K − 256)·M/3·5/8 + 256·M/2·4/8, zero pad to 32, the 32-byte scale block.
 * Never written, so rejected: |v| > 13, pair index > 8, and a sign bit set on a zero triple.
 * Walks go through each 32-row sub-tile row by row (tl2-tiles.ts).
 */
import { invalidCode, pad32, readScaleF32, requireLength, requireShape, requireTlParams } from "../checks.js";
import { NIBBLE_STRIDE, nibbleLut, pairColumns } from "../lut.js";
import { tl2PaddedLength } from "../tl2-length.js";
import { defineKernel } from "./define-kernel.js";
import { codeWords, PAIR_MAX, PAIR_NIBBLE, PAIR_WORD } from "./tl-pairs.js";
import { pairGroupOrigins, ROW_AT, signWord, signWordAt, subTileOrigins, type Tl2Geometry } from "./tl2-tiles.js";
import { nibblesAtMost, requireValidBytes } from "./valid-bytes.js";

const TRIPLE_MAX = 13;
const VALID_INDEX = nibblesAtMost(TRIPLE_MAX);
const VALID_PAIR = nibblesAtMost(PAIR_MAX);

/** SIGNED[(neg·16 + u)·3 + i] = t_i of the triple with |v| = u and sign bit neg (balanced ternary, t0 most significant). */
const SIGNED = new Int8Array(32 * 3);
for (let u = 0; u <= TRIPLE_MAX; u++) {
  const t2 = ((u + 1) % 3) - 1;
  const t1 = ((((u - t2) / 3 + 1) % 3) - 1) | 0;
  const digits = [((u - t2) / 3 - t1) / 3, t1, t2];
  for (let i = 0; i < 3; i++) {
    SIGNED[u * 3 + i] = digits[i]!;
    SIGNED[(16 + u) * 3 + i] = -digits[i]!;
  }
}

/**
 * Raises INVALID_CODE for a sign bit set on a zero triple, the first in (sub-tile, row, triple)
 * order; the offset is the sign byte.
 */
function rejectSignedZeros(bytes: Uint8Array, g: Tl2Geometry): void {
  const kos = g.BK / 6; // index groups per sub-tile
  const tiles = (g.M / 32) * (g.K3 / g.BK);
  for (let tile = 0; tile < tiles; tile++) {
    const idx = tile * kos * 32;
    const sgn = g.signStart + (tile * kos * 32) / 4;
    for (let mi = 0; mi < 32; mi++) {
      const pos = ROW_AT[mi]!;
      let sw = 0;
      for (let ko = 0; ko < kos; ko++) {
        if ((ko & 3) === 0) sw = signWord(bytes, sgn, ko >> 2, mi);
        const b = bytes[idx + ko * 32 + pos]!;
        const bit = 15 - 4 * (ko & 3);
        const badHi = b >> 4 === 0 && ((sw >> bit) & 1) === 1;
        if (badHi || ((b & 15) === 0 && ((sw >> (bit - 2)) & 1) === 1)) {
          const own = (badHi ? bit : bit - 2) - (mi >> 4); // the bit in the unshifted word
          invalidCode("tl2", signWordAt(sgn, ko >> 2, mi) + (own >= 8 ? 1 : 0), "sign bit set on a zero triple");
        }
      }
    }
  }
}

/** lut[j·64 + (neg·16 + u)·2 + h] = ±(t0·v_h[3j] + t1·v_h[3j+1] + t2·v_h[3j+2]) for every triple j. */
function tripleLut(lanes: Float64Array, triples: number): Float64Array {
  const lut = new Float64Array(triples * 64);
  for (let j = 0; j < triples; j++) {
    for (let u = 0; u <= TRIPLE_MAX; u++) {
      for (let h = 0; h < 2; h++) {
        const v = SIGNED[u * 3]! * lanes[6 * j + h]! + SIGNED[u * 3 + 1]! * lanes[6 * j + 2 + h]! + SIGNED[u * 3 + 2]! * lanes[6 * j + 4 + h]!;
        lut[j * 64 + 2 * u + h] = v;
        lut[j * 64 + 32 + 2 * u + h] = -v;
      }
    }
  }
  return lut;
}

export const tl2Kernel = defineKernel<Tl2Geometry>({
  name: "tl2",
  scaleGroup: "row",
  open(bytes, dims, params) {
    const { BM, BK, bm } = requireTlParams(params, "tl2");
    const { M, K } = dims;
    const tiling = `BM=${BM}, BK=${BK}, bm=${bm}`;
    requireShape(bm === 32, "tl2", dims, `bm must be 32 (${tiling})`);
    requireShape(M % BM === 0 && BM % 32 === 0, "tl2", dims, `needs M % BM == 0 and BM % 32 == 0 (${tiling})`);
    requireShape(BK % 24 === 0, "tl2", dims, `BK must be a multiple of 24 (${tiling})`);
    requireShape(K >= 256, "tl2", dims, "K must be at least 256 (the padded-size formula is ill-defined below)");
    const K3 = Math.floor(K / BK) * BK;
    const K2 = K - K3;
    requireShape(K2 % 32 === 0, "tl2", dims, `K mod BK = ${K2} must be a multiple of 32 (${tiling})`);
    const signStart = (M * K3) / 6;
    const pairStart = signStart + (M * K3) / 24;
    const dataEnd = pairStart + (M * K2) / 4;
    const padded = tl2PaddedLength(M, K);
    requireShape(dataEnd <= padded, "tl2", dims, `data (${dataEnd} bytes) exceeds the padded size L = ${padded} (${tiling})`);
    requireLength(bytes, pad32(padded) + 32, "tl2", dims);
    requireValidBytes(bytes, 0, signStart, VALID_INDEX, "tl2", "triple magnitude above 13");
    requireValidBytes(bytes, pairStart, dataEnd, VALID_PAIR, "tl2", "pair index above 8");
    const g: Tl2Geometry = { M, K, BM, BK, K3, K2, signStart, pairStart, padded };
    rejectSignedZeros(bytes, g);
    return g;
  },
  scales: (bytes, g) => readScaleF32(bytes, pad32(g.padded)),
  decode(bytes, g, codes) {
    const { K, signStart } = g;
    const kos = g.BK / 6; // index groups per sub-tile
    const origins = subTileOrigins(g);
    for (let tile = 0; tile < origins.length / 2; tile++) {
      const idx = tile * kos * 32;
      const sgn = signStart + (tile * kos * 32) / 4;
      const m0 = origins[2 * tile]!;
      const j0 = origins[2 * tile + 1]!;
      for (let mi = 0; mi < 32; mi++) {
        const pos = ROW_AT[mi]!;
        const row = (m0 + mi) * K + 3 * j0;
        let sw = 0;
        for (let ko = 0; ko < kos; ko++) {
          if ((ko & 3) === 0) sw = signWord(bytes, sgn, ko >> 2, mi);
          const b = bytes[idx + ko * 32 + pos]!;
          const bit = 15 - 4 * (ko & 3);
          const hi = ((((sw >> bit) & 1) << 4) | (b >> 4)) * 3;
          const lo = ((((sw >> (bit - 2)) & 1) << 4) | (b & 15)) * 3;
          const at = row + 6 * ko;
          codes[at] = SIGNED[hi]!;
          codes[at + 1] = SIGNED[hi + 1]!;
          codes[at + 2] = SIGNED[hi + 2]!;
          codes[at + 3] = SIGNED[lo]!;
          codes[at + 4] = SIGNED[lo + 1]!;
          codes[at + 5] = SIGNED[lo + 2]!;
        }
      }
    }
    const words = codeWords(codes);
    const groups = pairGroupOrigins(g);
    for (let grp = 0, off = g.pairStart; grp < groups.length / 2; grp++, off += 32) {
      const m0 = groups[2 * grp]!;
      const k = groups[2 * grp + 1]!;
      for (let pos = 0; pos < 32; pos++) words[((m0 + ROW_AT[pos]!) * K + k) >> 2] = PAIR_WORD[bytes[off + pos]!]!;
    }
  },
  accumulate(bytes, g, lanes) {
    const { signStart, K3 } = g;
    const kos = g.BK / 6; // index groups per sub-tile
    const triples = tripleLut(lanes, K3 / 3);
    const pairs = nibbleLut(lanes, pairColumns(K3, g.K2 / 2), PAIR_NIBBLE);
    const sums = new Float64Array(2 * g.M);
    const origins = subTileOrigins(g);
    for (let tile = 0; tile < origins.length / 2; tile++) {
      const idx = tile * kos * 32;
      const sgn = signStart + (tile * kos * 32) / 4;
      const m0 = origins[2 * tile]!;
      const j0 = origins[2 * tile + 1]!;
      for (let mi = 0; mi < 32; mi++) {
        const pos = ROW_AT[mi]!;
        let sw = 0;
        let s0 = 0;
        let s1 = 0;
        for (let ko = 0; ko < kos; ko++) {
          if ((ko & 3) === 0) sw = signWord(bytes, sgn, ko >> 2, mi);
          const b = bytes[idx + ko * 32 + pos]!;
          const bit = 15 - 4 * (ko & 3);
          const j = j0 + 2 * ko;
          const x = j * 64 + (((sw >> bit) & 1) << 5) + ((b >> 4) << 1);
          const y = (j + 1) * 64 + (((sw >> (bit - 2)) & 1) << 5) + ((b & 15) << 1);
          s0 += triples[x]! + triples[y]!;
          s1 += triples[x + 1]! + triples[y + 1]!;
        }
        const at = 2 * (m0 + mi);
        sums[at] = sums[at]! + s0;
        sums[at + 1] = sums[at + 1]! + s1;
      }
    }
    const groups = pairGroupOrigins(g);
    for (let grp = 0, off = g.pairStart; grp < groups.length / 2; grp++, off += 32) {
      const m0 = groups[2 * grp]!;
      const hi = ((groups[2 * grp + 1]! - K3) / 2) * NIBBLE_STRIDE;
      for (let pos = 0; pos < 32; pos++) {
        const b = bytes[off + pos]!;
        const at = 2 * (m0 + ROW_AT[pos]!);
        const x = hi + ((b >> 4) << 1);
        const y = hi + NIBBLE_STRIDE + ((b & 15) << 1);
        sums[at] = sums[at]! + pairs[x]! + pairs[y]!;
        sums[at + 1] = sums[at + 1]! + pairs[x + 1]! + pairs[y + 1]!;
      }
    }
    return sums;
  },
});
