/** Shared readers for the absmean golden fixtures (fixtures/absmean, see its README.md). */
import { goldenCases, readF32, readI8, type GoldenCase } from "../helpers/fixtures.js";
import type { Granularity } from "../../src/quant/index.js";

export const ABSMEAN = "absmean";
export const GROUP = 128;

export interface AbsmeanVariant {
  key: "per_tensor" | "per_row" | "per_group128";
  granularity: Granularity;
  codes: Int8Array;
  /** Per scale: mean_abs_clamped, s, 1/s (3 floats per group, row-major over groups). */
  scales: Float32Array;
}

export interface AbsmeanCase {
  name: string;
  shape: number[];
  input: Float32Array;
  variants: AbsmeanVariant[];
  /** The manifest's per-tensor scalars as float32 bit patterns. */
  perTensorBits: Record<"mean_abs_clamped" | "s" | "scale_1_over_s" | "mean_abs_correctly_rounded", number>;
  golden: GoldenCase;
}

const VARIANTS = [
  ["per_tensor", "tensor"],
  ["per_row", "row"],
  ["per_group128", { group: GROUP }],
] as const;

export function absmeanCases(): AbsmeanCase[] {
  return goldenCases(ABSMEAN).map((c) => {
    const variants: AbsmeanVariant[] = [];
    for (const [key, granularity] of VARIANTS) {
      const codes = c.files[`${key}_codes`];
      const scales = c.files[`${key}_scales`];
      if (!codes || !scales) continue; // per_group128 exists only where cols % 128 == 0
      variants.push({ key, granularity, codes: readI8(ABSMEAN, codes.file), scales: readF32(ABSMEAN, scales.file) });
    }
    const pt = (c as GoldenCase & { variants: { per_tensor: Record<string, { bits: string }> } }).variants.per_tensor;
    const bits = (k: string) => Number(pt[k]!.bits);
    const perTensorBits = {
      mean_abs_clamped: bits("mean_abs_clamped"),
      s: bits("s"),
      scale_1_over_s: bits("scale_1_over_s"),
      mean_abs_correctly_rounded: bits("mean_abs_correctly_rounded"),
    };
    return { name: c.name, shape: c.shape, input: readF32(ABSMEAN, c.files.input!.file), variants, perTensorBits, golden: c };
  });
}

/** The float32 bit pattern of every element. */
export const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Column `col` (0 = mean_abs_clamped, 1 = s, 2 = 1/s) of a golden scales file. */
export function scaleColumn(scales: Float32Array, col: 0 | 1 | 2): Float32Array {
  const out = new Float32Array(scales.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = scales[3 * i + col]!;
  return out;
}

/** Index of the first element whose bits differ, or -1 (a readable failure instead of a huge diff). */
export function firstBitMismatch(a: Float32Array | Int8Array, b: Float32Array | Int8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = a instanceof Float32Array ? bitsOf(a) : a;
  const y = b instanceof Float32Array ? bitsOf(b) : b;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}
