/**
 * The quantizer's own reconstruction Ŵ from a structured CB158 tensor (float32, the arithmetic of
 * CB158-SPEC.md §4). The layout's decoder recomputes the same values from the bytes; tests compare.
 */
import { f16BitsToF32 } from "../../core/half.js";
import { BLOCK_SCALE_POW } from "../../../formats/layouts/cb158-bits.js";
import { BLOCK, BLOCKS_PER_SUPER, SALIENT_CHUNK, type Cb158Tensor } from "../../../formats/layouts/cb158-format.js";
import { GROUP } from "../../../formats/layouts/cb158-grid.js";
import { codebookView } from "../../../formats/layouts/cb158-table.js";

/** Base codewords (grid or learned table) · block scales, then salient columns overwritten (outliers not applied). */
export function reconstructBase(t: Cb158Tensor): Float32Array {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  const codewords = codebookView(t).values;
  for (let block = 0; block < t.blockCodes.length; block++) {
    const d = f16BitsToF32(t.superScales[Math.floor(block / BLOCKS_PER_SUPER)]!);
    const s = Math.fround(d * BLOCK_SCALE_POW[t.blockCodes[block]!]!);
    for (let group = block * (BLOCK / GROUP); group < (block + 1) * (BLOCK / GROUP); group++) {
      const code = t.indices[group]! * GROUP;
      for (let j = 0; j < GROUP; j++) out[group * GROUP + j] = codewords[code + j]! * s;
    }
  }
  const chunks = Math.ceil(rows / SALIENT_CHUNK);
  t.salientColumns.forEach((col, s) => {
    for (let i = 0; i < rows; i++) {
      const scale = f16BitsToF32(t.salientScales[s * chunks + Math.floor(i / SALIENT_CHUNK)]!);
      out[i * cols + col] = Math.fround(t.salientCodes[s * rows + i]! * scale);
    }
  });
  return out;
}

/** Adds the outlier residuals in place. */
export function applyOutliers(t: Cb158Tensor, out: Float32Array): Float32Array {
  for (let o = 0; o < t.outlierIndex.length; o++) {
    const at = t.outlierIndex[o]!;
    out[at] = Math.fround(out[at]! + f16BitsToF32(t.outlierValues[o]!));
  }
  return out;
}

export function reconstructCb158(t: Cb158Tensor): Float32Array {
  return applyOutliers(t, reconstructBase(t));
}
