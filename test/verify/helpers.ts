/** Quantize-and-pack fixtures for the verifier tests: random floats → absmean → layout pack. */
import { expect } from "vitest";
import { getLayout, type LayoutParams, type TernaryTensor, type TlParams } from "../../formats/layouts/index.js";
import { resolveTlParams } from "../../formats/layouts/tl-presets.js";
import { blockScalesFromTensorScale } from "../../formats/layouts/tq-layout.js";
import { isTernpackError, type ErrorCode } from "../../src/core/errors.js";
import { absmeanTernarize } from "../../src/quant/index.js";
import type { VerifyInput } from "../../src/verify/index.js";
import { gaussianLike } from "../../src/core/prng.js";

export const TERNARY_LAYOUTS = ["i2_s", "tl1", "tl2", "tq1_0", "tq2_0"] as const;
export type TernaryLayoutName = (typeof TERNARY_LAYOUTS)[number];

/** Deterministic gaussian-like floats (LCG, sum of four uniforms), with an optional run of exact zeros. */
export function randomWeights(n: number, seed: number, zeros?: { from: number; to: number }): Float32Array {
  const out = gaussianLike(n, seed, 0.05);
  if (zeros) out.fill(0, zeros.from, zeros.to);
  return out;
}

export interface Packed {
  layout: TernaryLayoutName;
  shape: [number, number];
  /** The quantizer's output: codes and the per-tensor σ. */
  ternary: TernaryTensor;
  params?: LayoutParams;
  bytes: Uint8Array;
}

function isTq(layout: TernaryLayoutName): boolean {
  return layout === "tq1_0" || layout === "tq2_0";
}

/**
 * absmean (per tensor) → pack. TL tiling: `tl` if given, else resolveTlParams (preset or rule),
 * or none at all with `tl: "preset"` (the layout then looks up bitnet.cpp's preset itself).
 */
export function quantizeAndPack(layout: TernaryLayoutName, M: number, K: number, seed: number, opts: { tl?: TlParams | "preset"; zeros?: { from: number; to: number } } = {}): Packed {
  const values = randomWeights(M * K, seed, opts.zeros);
  const q = absmeanTernarize(values, [M, K], { granularity: "tensor" });
  const ternary: TernaryTensor = { shape: [M, K], codes: q.codes, scales: q.scales };
  let params: LayoutParams | undefined;
  if ((layout === "tl1" || layout === "tl2") && opts.tl !== "preset") {
    params = { tl: opts.tl ?? resolveTlParams(layout, M, K).params };
  }
  const packInput = isTq(layout) ? { ...ternary, scales: blockScalesFromTensorScale(q.codes, [M, K], q.scales[0]!) } : ternary;
  const bytes = getLayout(layout).pack!(packInput, params);
  return { layout, shape: [M, K], ternary, ...(params ? { params } : {}), bytes };
}

/** The verifier input for a packed tensor (optionally with other bytes or expectations). */
export function inputFor(p: Packed, over: Partial<VerifyInput> = {}): VerifyInput {
  return {
    name: `blk.0.${p.layout}.weight`,
    layout: p.layout,
    shape: p.shape,
    bytes: p.bytes,
    ...(p.params ? { params: p.params } : {}),
    expected: { codes: p.ternary.codes, scales: p.ternary.scales },
    ...over,
  };
}

/** Runs `fn`, expects a TernpackError with `code`, returns its message. */
export function thrownCode(fn: () => unknown, code: ErrorCode): string {
  try {
    fn();
  } catch (e) {
    expect(isTernpackError(e) ? e.code : e).toBe(code);
    return (e as Error).message;
  }
  throw new Error(`expected a TernpackError ${code}, nothing was thrown`);
}
