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
 * Walks go through the matrix row by row (tl2-tiles.ts).
 */
import { invalidCode, pad32, readScaleF32, requireLength, requireShape, requireTlParams } from "../checks.js";
import { NIBBLE_STRIDE, nibbleLut, pairColumns } from "../lut.js";
import { tl2PaddedLength } from "../tl2-length.js";
import { codeWords, defineKernel } from "./define-kernel.js";
import { PAIR_MAX, PAIR_NIBBLE, PAIR_WORD } from "./tl-pairs.js";
import { indexGroups, pairGroupAt, ROW_AT, signBase, signWord, subTile, type Tl2Geometry } from "./tl2-tiles.js";
import { requireNibblesAtMost } from "./valid-bytes.js";

const TRIPLE_MAX = 13;

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
 * SIX[key·3 + w], key = (neg_hi·16 + u_hi)·32 + (neg_lo·16 + u_lo): the six weights of an index
 * byte's two triples as three little-endian u16 words of two int8 each.
 */
const SIX = new Uint16Array(32 * 32 * 3);
for (let hi = 0; hi < 32; hi++) {
  for (let lo = 0; lo < 32; lo++) {
    const t = [0, 1, 2].map((i) => SIGNED[hi * 3 + i]!).concat([0, 1, 2].map((i) => SIGNED[lo * 3 + i]!));
    for (let w = 0; w < 3; w++) SIX[(hi * 32 + lo) * 3 + w] = (t[2 * w]! & 0xff) | ((t[2 * w + 1]! & 0xff) << 8);
  }
}

/**
 * Raises INVALID_CODE for a sign bit set on a zero triple, the first in row-major order (the
 * offset is the sign byte). The walkers only flag that such a bit exists; this finds it.
 */
function rejectSignedZeros(bytes: Uint8Array, g: Tl2Geometry): never {
  const kos = indexGroups(g);
  for (let m = 0; m < g.M; m++) {
    const mi = m & 31;
    for (let kb = 0; kb < g.K3 / g.BK; kb++) {
      const tile = subTile(g, m, kb);
      const idx = tile * kos * 32 + ROW_AT[mi]!;
      const sgn = signBase(g, tile, mi);
      for (let ko = 0; ko < kos; ko++) {
        const sw = signWord(bytes, sgn + 8 * (ko & ~3), mi);
        const b = bytes[idx + 32 * ko]!;
        for (const [u, bit] of [
          [b >> 4, 15 - 4 * (ko & 3)],
          [b & 15, 13 - 4 * (ko & 3)],
        ] as const) {
          if (u !== 0 || ((sw >> bit) & 1) === 0) continue;
          const own = bit - (mi >> 4); // the bit in the unshifted LE word
          invalidCode("tl2", sgn + 8 * (ko & ~3) + (own >= 8 ? 1 : 0), "sign bit set on a zero triple");
        }
      }
    }
  }
  throw new Error("tl2: a signed zero triple was flagged but not found");
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

/**
 * Writes row m's K3 triple columns from the index and sign areas (`out`: the u16 view of the
 * codes). Returns non-zero if a zero triple has its sign bit set.
 */
function decodeTripleRow(bytes: Uint8Array, g: Tl2Geometry, m: number, out: Uint16Array): number {
  const kos = indexGroups(g);
  const mi = m & 31;
  let signedZero = 0;
  for (let kb = 0; kb < g.K3 / g.BK; kb++) {
    const tile = subTile(g, m, kb);
    const idx = tile * kos * 32 + ROW_AT[mi]!;
    const sgn = signBase(g, tile, mi);
    const at = (m * g.K + kb * g.BK) / 2;
    let sw = 0;
    for (let ko = 0; ko < kos; ko++) {
      if ((ko & 3) === 0) sw = signWord(bytes, sgn + 8 * ko, mi);
      const b = bytes[idx + 32 * ko]!;
      const bit = 15 - 4 * (ko & 3);
      const hi = (((sw >> bit) & 1) << 4) | (b >> 4);
      const lo = (((sw >> (bit - 2)) & 1) << 4) | (b & 15);
      signedZero |= +(hi === 16) | +(lo === 16);
      const key = (hi * 32 + lo) * 3;
      out[at + 3 * ko] = SIX[key]!;
      out[at + 3 * ko + 1] = SIX[key + 1]!;
      out[at + 3 * ko + 2] = SIX[key + 2]!;
    }
  }
  return signedZero;
}

/** Row m's lane sums over its triples, added to sums[2m], sums[2m + 1]. Returns non-zero for a signed zero triple. */
function tripleRowDot(bytes: Uint8Array, g: Tl2Geometry, m: number, lut: Float64Array, sums: Float64Array): number {
  const kos = indexGroups(g);
  const mi = m & 31;
  let s0 = 0;
  let s1 = 0;
  let signedZero = 0;
  for (let kb = 0; kb < g.K3 / g.BK; kb++) {
    const tile = subTile(g, m, kb);
    const idx = tile * kos * 32 + ROW_AT[mi]!;
    const sgn = signBase(g, tile, mi);
    const j0 = kb * (g.BK / 3);
    let sw = 0;
    for (let ko = 0; ko < kos; ko++) {
      if ((ko & 3) === 0) sw = signWord(bytes, sgn + 8 * ko, mi);
      const b = bytes[idx + 32 * ko]!;
      const bit = 15 - 4 * (ko & 3);
      const hi = (((sw >> bit) & 1) << 4) | (b >> 4);
      const lo = (((sw >> (bit - 2)) & 1) << 4) | (b & 15);
      signedZero |= +(hi === 16) | +(lo === 16);
      const x = (j0 + 2 * ko) * 64 + 2 * hi;
      const y = (j0 + 2 * ko + 1) * 64 + 2 * lo;
      s0 += lut[x]! + lut[y]!;
      s1 += lut[x + 1]! + lut[y + 1]!;
    }
  }
  sums[2 * m] = sums[2 * m]! + s0;
  sums[2 * m + 1] = sums[2 * m + 1]! + s1;
  return signedZero;
}

/** Row m's lane sums over its K2 pair columns, added to sums[2m], sums[2m + 1]. */
function pairRowDot(bytes: Uint8Array, g: Tl2Geometry, m: number, lut: Float64Array, sums: Float64Array): void {
  const pos = ROW_AT[m & 31]!;
  let s0 = 0;
  let s1 = 0;
  for (let kb2 = 0; kb2 < g.K2 / 32; kb2++) {
    for (let ko = 0; ko < 8; ko++) {
      const b = bytes[pairGroupAt(g, m, kb2, ko) + pos]!;
      const p = 16 * kb2 + 2 * ko; // pair index of columns K3 + 2p, K3 + 2p + 1 (high nibble), then p + 1 (low)
      const x = p * NIBBLE_STRIDE + ((b >> 4) << 1);
      const y = (p + 1) * NIBBLE_STRIDE + ((b & 15) << 1);
      s0 += lut[x]! + lut[y]!;
      s1 += lut[x + 1]! + lut[y + 1]!;
    }
  }
  sums[2 * m] = sums[2 * m]! + s0;
  sums[2 * m + 1] = sums[2 * m + 1]! + s1;
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
    requireNibblesAtMost(bytes, 0, signStart, TRIPLE_MAX, "tl2", "triple magnitude above 13");
    requireNibblesAtMost(bytes, pairStart, dataEnd, PAIR_MAX, "tl2", "pair index above 8");
    return { M, K, BM, BK, K3, K2, signStart, pairStart, padded }; // the sign rule is checked by the walkers
  },
  scales: (bytes, g) => readScaleF32(bytes, pad32(g.padded)),
  decode(bytes, g, codes) {
    // K and 3·j are even (K3 is a multiple of 24, K2 of 32), so triple pairs start on u16 words; pair columns on u32 words.
    const halves = new Uint16Array(codes.buffer, codes.byteOffset, codes.length >> 1);
    const words = codeWords(codes);
    let signedZero = 0;
    for (let m = 0; m < g.M; m++) {
      signedZero |= decodeTripleRow(bytes, g, m, halves);
      const pos = ROW_AT[m & 31]!;
      for (let kb2 = 0; kb2 < g.K2 / 32; kb2++) {
        for (let ko = 0; ko < 8; ko++) words[(m * g.K + g.K3 + 32 * kb2 + 4 * ko) >> 2] = PAIR_WORD[bytes[pairGroupAt(g, m, kb2, ko) + pos]!]!;
      }
    }
    if (signedZero) rejectSignedZeros(bytes, g);
  },
  accumulate(bytes, g, lanes) {
    const triples = tripleLut(lanes, g.K3 / 3);
    const pairs = nibbleLut(lanes, pairColumns(g.K3, g.K2 / 2), PAIR_NIBBLE);
    const sums = new Float64Array(2 * g.M);
    let signedZero = 0;
    for (let m = 0; m < g.M; m++) {
      signedZero |= tripleRowDot(bytes, g, m, triples, sums);
      pairRowDot(bytes, g, m, pairs, sums);
    }
    if (signedZero) rejectSignedZeros(bytes, g);
    return sums;
  },
});
