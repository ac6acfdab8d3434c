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
 */
import { invalidCode, pad32, readScaleF32, requireLength, requireShape, requireTlParams, type Dims } from "../checks.js";
import { defineKernel } from "./define-kernel.js";
import { pairLut, PAIR_MAX, writePair } from "./tl-pairs.js";
import { nibblesAtMost, requireValidBytes } from "./valid-bytes.js";

const TRIPLE_MAX = 13;
const VALID_INDEX = nibblesAtMost(TRIPLE_MAX);
const VALID_PAIR = nibblesAtMost(PAIR_MAX);

/** Sub-tile row stored at byte `pos` of a 32-byte group: 8-byte chunks 1 and 2 trade places. */
const ROW_AT = Int8Array.from({ length: 32 }, (_, pos) => [0, 2, 1, 3][pos >> 3]! * 8 + (pos & 7));

/** DIGITS[u·3 + i] = t_i of the triple with v = u ≥ 0 (balanced ternary, t0 most significant). */
const DIGITS = new Int8Array(16 * 3);
for (let u = 0; u <= TRIPLE_MAX; u++) {
  const t2 = ((u + 1) % 3) - 1;
  const t1 = ((((u - t2) / 3 + 1) % 3) - 1) | 0;
  DIGITS[u * 3] = ((u - t2) / 3 - t1) / 3;
  DIGITS[u * 3 + 1] = t1;
  DIGITS[u * 3 + 2] = t2;
}

interface Tl2Geometry extends Dims {
  BM: number;
  BK: number;
  K3: number;
  K2: number;
  signStart: number;
  pairStart: number;
  padded: number;
}

/** visit(m, j, u, neg, signByte) for every triple j of every row, in index-area storage order. */
type TripleVisit = (m: number, j: number, u: number, neg: number, signByte: number) => void;

function walkTriples(bytes: Uint8Array, g: Tl2Geometry, visit: TripleVisit): void {
  const { M, BM, BK, K3 } = g;
  let off = 0;
  for (let mb = 0; mb < M / BM; mb++)
    for (let kb = 0; kb < K3 / BK; kb++)
      for (let mo = 0; mo < BM / 32; mo++) {
        const m0 = mb * BM + mo * 32;
        const tile = (mb * (K3 / BK) + kb) * (BM / 32) + mo;
        for (let ko = 0; ko < BK / 6; ko++, off += 32) {
          const signGroup = g.signStart + (tile * (BK / 24) + (ko >> 2)) * 32;
          const j = kb * (BK / 3) + 2 * ko;
          const r0 = 2 * ((2 * ko) % 8); // sign row of triple 2ko for mi < 16; +1 for mi ≥ 16, +2 for triple 2ko+1
          for (let pos = 0; pos < 32; pos++) {
            const mi = ROW_AT[pos]!;
            const b = bytes[off + pos]!;
            const r = r0 + (mi >> 4);
            const word = signGroup + 2 * (mi & 15);
            // bit 15 − r of the LE word: byte +1 when 15 − r ≥ 8
            const s0 = word + (r <= 7 ? 1 : 0);
            const s1 = word + (r + 2 <= 7 ? 1 : 0);
            visit(m0 + mi, j, b >> 4, (bytes[s0]! >> ((15 - r) & 7)) & 1, s0);
            visit(m0 + mi, j + 1, b & 15, (bytes[s1]! >> ((13 - r) & 7)) & 1, s1);
          }
        }
      }
}

/** visit(m, k, idx) for both pairs of every byte of the two-weight area, k = first column of the pair. */
function walkPairs(bytes: Uint8Array, g: Tl2Geometry, visit: (m: number, k: number, idx: number) => void): void {
  let off = g.pairStart;
  for (let mb = 0; mb < g.M / g.BM; mb++)
    for (let kb = 0; kb < g.K2 / 32; kb++)
      for (let mo = 0; mo < g.BM / 32; mo++)
        for (let ko = 0; ko < 8; ko++, off += 32) {
          const k = g.K3 + kb * 32 + ko * 4;
          for (let pos = 0; pos < 32; pos++) {
            const m = mb * g.BM + mo * 32 + ROW_AT[pos]!;
            visit(m, k, bytes[off + pos]! >> 4);
            visit(m, k + 2, bytes[off + pos]! & 15);
          }
        }
}

/** The converter's padded size, integer ops left to right (Python floor division; K ≥ 256). */
function paddedLength(M: number, K: number): number {
  return Math.floor((Math.floor(((K - 256) * M) / 3) * 5) / 8) + Math.floor((Math.floor((256 * M) / 2) * 4) / 8);
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
    const padded = paddedLength(M, K);
    requireShape(dataEnd <= padded, "tl2", dims, `data (${dataEnd} bytes) exceeds the padded size L = ${padded} (${tiling})`);
    requireLength(bytes, pad32(padded) + 32, "tl2", dims);
    requireValidBytes(bytes, 0, signStart, VALID_INDEX, "tl2", "triple magnitude above 13");
    requireValidBytes(bytes, pairStart, dataEnd, VALID_PAIR, "tl2", "pair index above 8");
    const g = { ...dims, BM, BK, K3, K2, signStart, pairStart, padded };
    walkTriples(bytes, g, (_m, _j, u, neg, signByte) => {
      if (u === 0 && neg === 1) invalidCode("tl2", signByte, "sign bit set on a zero triple");
    });
    return g;
  },
  scales: (bytes, g) => readScaleF32(bytes, pad32(g.padded)),
  decode(bytes, g, codes) {
    walkTriples(bytes, g, (m, j, u, neg) => {
      const at = m * g.K + 3 * j;
      const sign = 1 - 2 * neg;
      for (let i = 0; i < 3; i++) codes[at + i] = sign * DIGITS[u * 3 + i]!;
    });
    walkPairs(bytes, g, (m, k, idx) => writePair(idx, codes, m * g.K + k));
  },
  accumulate(bytes, g, q) {
    const triples = g.K3 / 3;
    const lut = new Int32Array(triples * 16);
    for (let j = 0; j < triples; j++) {
      for (let u = 0; u <= TRIPLE_MAX; u++) {
        lut[j * 16 + u] = DIGITS[u * 3]! * q[3 * j]! + DIGITS[u * 3 + 1]! * q[3 * j + 1]! + DIGITS[u * 3 + 2]! * q[3 * j + 2]!;
      }
    }
    const pairs = pairLut(q, g.K3, g.K2 / 2);
    const acc = new Int32Array(g.M);
    walkTriples(bytes, g, (m, j, u, neg) => {
      acc[m] = acc[m]! + (1 - 2 * neg) * lut[j * 16 + u]!;
    });
    walkPairs(bytes, g, (m, k, idx) => {
      acc[m] = acc[m]! + pairs[((k - g.K3) / 2) * 16 + idx]!;
    });
    return acc;
  },
});
