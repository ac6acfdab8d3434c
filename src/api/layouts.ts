/** The layout registry as a table for people and scripts (`ternpack layouts`). */
import { bitsPerWeight, listLayouts, type Layout } from "../../formats/layouts/index.js";
import { resolveLayout } from "./raw-tensor.js";

export interface LayoutRow {
  name: string;
  kind: Layout["kind"];
  /** Elements per block (1 for plain floats). */
  blockSize: number;
  /** Bytes per block where the layout is block-regular; null where only a whole-tensor formula exists. */
  blockBytes: number | null;
  /** Bits per weight on a 4096 x 4096 tensor (includes per-tensor tails and scale blocks; TL tiling by the preset rule). */
  bitsPerWeight: number;
  ggmlType: number | null;
  runtime: string;
  description: string;
}

/** Reference shape for bits per weight of layouts with per-tensor overhead. */
export const BPW_REFERENCE_SHAPE: readonly [number, number] = [4096, 4096];

export function describeLayouts(): LayoutRow[] {
  return listLayouts().map((l) => ({
    name: l.name,
    kind: l.kind,
    blockSize: l.blockSize,
    blockBytes: l.blockBytes ?? null,
    bitsPerWeight: bitsPerWeight(l, BPW_REFERENCE_SHAPE, resolveLayout({ layout: l.name, shape: [...BPW_REFERENCE_SHAPE] }).params),
    ggmlType: l.ggmlType ?? null,
    runtime: l.runtime,
    description: l.description,
  }));
}
