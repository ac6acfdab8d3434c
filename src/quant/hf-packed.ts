/**
 * Hugging Face transformers' offline BitNet packing (`integrations/bitnet.py` pack_weights /
 * unpack_weights; ternary-layouts.md §6): a ternary (out, ...rest) tensor is stored as U8
 * (R, ...rest), R = ceil(out/4). Packed byte [p, c] holds, at bits 2i..2i+1 (i = 0..3, lowest bits
 * first), code t + 1 of original row i·R + p. Slots with no source row (out % 4 ≠ 0) stay 0 bits;
 * transformers' unpack_weights decodes them as −1 rows, which callers slice off.
 */
import { fail } from "../core/errors.js";
import { shapeSize } from "./shape.js";
import { sigmaFromWeightScale, type ScaleConvention } from "./weight-scale.js";

const ROWS_PER_BYTE = 4;

export interface UnpackOptions {
  /**
   * Rows to decode: the module's out_features, in (4(R − 1), 4R]. Default 4R, which is what
   * transformers' unpack_weights returns (padding rows decode to −1).
   */
  outFeatures?: number;
  /** Tensor name, for error messages. */
  tensor?: string;
  /** Absolute file offset of the first packed byte, so errors can name the byte in the file. */
  fileOffset?: number;
}

/** Rows R and elements per row of a packed or unpacked shape (1-D tensors have one column). */
function rowsAndCols(shape: readonly number[], tensor?: string): { rows: number; cols: number } {
  if (shape.length === 0) fail("SHAPE_MISMATCH", { tensor, detail: "HF BitNet packing needs at least one dimension" });
  const size = shapeSize(shape, tensor);
  const rows = shape[0]!;
  return { rows, cols: rows === 0 ? shapeSize(shape.slice(1), tensor) : size / rows };
}

/** Packed shape of a ternary tensor: [ceil(out/4), ...rest]. */
export function hfPackedShape(shape: readonly number[]): number[] {
  const [out, ...rest] = shape;
  return [Math.ceil((out ?? 0) / ROWS_PER_BYTE), ...rest];
}

/** pack_weights: ternary codes (row-major, `shape` = [out, ...rest]) → packed bytes. */
export function packHfBitnet(codes: Int8Array, shape: readonly number[], tensor?: string): { packed: Uint8Array; packedShape: number[] } {
  const { rows: out, cols } = rowsAndCols(shape, tensor);
  if (out * cols !== codes.length) fail("SHAPE_MISMATCH", { tensor, detail: `shape [${shape.join(", ")}] vs ${codes.length} codes` });
  const packedShape = hfPackedShape(shape);
  const R = packedShape[0]!;
  const packed = new Uint8Array(R * cols);
  for (let r = 0; r < out; r++) {
    const shift = 2 * Math.floor(r / R);
    const dst = (r % R) * cols;
    const src = r * cols;
    for (let c = 0; c < cols; c++) {
      const t = codes[src + c]!;
      if (t < -1 || t > 1) fail("INVALID_TERNARY", { tensor, detail: `code ${t} at row ${r}, column ${c} (element ${src + c})` });
      packed[dst + c] = packed[dst + c]! | ((t + 1) << shift);
    }
  }
  return { packed, packedShape };
}

/**
 * unpack_weights, then keep the first `outFeatures` rows. Code 3 (never written) in a decoded
 * row → INVALID_CODE naming the packed byte, bit pair and row/column.
 */
export function unpackHfBitnet(packed: Uint8Array, packedShape: readonly number[], options: UnpackOptions = {}): { codes: Int8Array; shape: number[] } {
  const { tensor, fileOffset } = options;
  const { rows: R, cols } = rowsAndCols(packedShape, tensor);
  if (R * cols !== packed.length) fail("SHAPE_MISMATCH", { tensor, detail: `packed shape [${packedShape.join(", ")}] vs ${packed.length} bytes` });
  const out = options.outFeatures ?? ROWS_PER_BYTE * R;
  if (!Number.isSafeInteger(out) || Math.ceil(out / ROWS_PER_BYTE) !== R) {
    fail("SHAPE_MISMATCH", { tensor, detail: `out_features ${out} does not pack into ${R} rows (needs ceil(out/4) = ${R})` });
  }
  const codes = new Int8Array(out * cols);
  for (let r = 0; r < out; r++) {
    const shift = 2 * Math.floor(r / R);
    const src = (r % R) * cols;
    const dst = r * cols;
    for (let c = 0; c < cols; c++) {
      const code = (packed[src + c]! >>> shift) & 3;
      if (code === 3) {
        fail("INVALID_CODE", {
          tensor,
          offset: fileOffset === undefined ? undefined : fileOffset + src + c,
          detail: `code 3 in packed byte ${src + c} [${r % R}, ${c}] bits ${shift}..${shift + 1} (row ${r}, column ${c})`,
        });
      }
      codes[dst + c] = code - 1;
    }
  }
  return { codes, shape: [out, ...packedShape.slice(1)] };
}

/** A packed HF BitNet weight with its `weight_scale` → codes [out, ...rest] and σ (W ≈ σ·t). */
export function hfPackedToTernary(
  packed: Uint8Array,
  packedShape: readonly number[],
  outFeatures: number,
  weightScale: number,
  convention: ScaleConvention,
  tensor?: string,
): { codes: Int8Array; shape: number[]; scale: number } {
  const scale = sigmaFromWeightScale(weightScale, convention, tensor);
  return { ...unpackHfBitnet(packed, packedShape, { outFeatures, tensor }), scale };
}
