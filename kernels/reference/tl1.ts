/**
 * TL1 decode side (ternary-layouts.md §2): pair indices along K, two per byte (first pair in the
 * high nibble), tiled by (BM, BK, bm) with by = 256/bm. Walking the bytes in storage order, the
 * nesting (outermost first) is M-tile mb, K-block kb, bm sub-tile mo, by sub-block ko, 16-row group
 * mh, pair-of-pairs kq, row ml — so every 16 consecutive bytes are rows m0 … m0+15 of the same four
 * columns k0 … k0+3, with m0 = mb·BM + mo·bm + mh·16 and k0 = kb·BK + ko·by + kq·4.
 * Payload = M·K/4 packed bytes, zero pad to a multiple of 32, a 32-byte block with the f32 scale first.
 */
import { pad32, readScaleF32, requireLength, requireShape, requireTlParams, type Dims } from "../checks.js";
import { defineKernel } from "./define-kernel.js";
import { pairLut, PAIR_MAX, writePair } from "./tl-pairs.js";
import { nibblesAtMost, requireValidBytes } from "./valid-bytes.js";

const VALID = nibblesAtMost(PAIR_MAX);

interface Tl1Geometry extends Dims {
  BM: number;
  BK: number;
  bm: number;
  by: number;
  packed: number;
}

/** Calls visit(offset, m0, k0) for each run of 16 bytes, in storage order. */
function walkRuns(g: Tl1Geometry, visit: (off: number, m0: number, k0: number) => void): void {
  const { M, K, BM, BK, bm, by } = g;
  let off = 0;
  for (let mb = 0; mb < M / BM; mb++)
    for (let kb = 0; kb < K / BK; kb++)
      for (let mo = 0; mo < BM / bm; mo++)
        for (let ko = 0; ko < BK / by; ko++)
          for (let mh = 0; mh < bm / 16; mh++)
            for (let kq = 0; kq < by / 4; kq++, off += 16) visit(off, mb * BM + mo * bm + mh * 16, kb * BK + ko * by + kq * 4);
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
    return { ...dims, BM, BK, bm, by, packed };
  },
  scales: (bytes, g) => readScaleF32(bytes, pad32(g.packed)),
  decode(bytes, g, codes) {
    walkRuns(g, (off, m0, k0) => {
      for (let ml = 0; ml < 16; ml++) {
        const b = bytes[off + ml]!;
        const at = (m0 + ml) * g.K + k0;
        writePair(b >> 4, codes, at);
        writePair(b & 15, codes, at + 2);
      }
    });
  },
  accumulate(bytes, g, q) {
    const lut = pairLut(q, 0, g.K / 2);
    const acc = new Int32Array(g.M);
    walkRuns(g, (off, m0, k0) => {
      const hi = (k0 / 2) * 16;
      const lo = hi + 16;
      for (let ml = 0; ml < 16; ml++) {
        const b = bytes[off + ml]!;
        acc[m0 + ml] = acc[m0 + ml]! + lut[hi + (b >> 4)]! + lut[lo + (b & 15)]!;
      }
    });
    return acc;
  },
});
