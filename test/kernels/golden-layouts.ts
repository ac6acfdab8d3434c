/**
 * The layout golden cases (fixtures/layouts/<layout>/, reference-packed bytes) as kernel inputs:
 * the payload a kernel receives, and the codes and scales the reference packer started from.
 */
import { TernpackError } from "../../src/core/errors.js";
import { roundHalfAway } from "../../src/core/rounding.js";
import { roundToF16 } from "../../src/core/half.js";
import type { KernelName, TlParams } from "../../kernels/index.js";
import { goldenCases, readF32, readI8, readU8, type GoldenCase } from "../helpers/fixtures.js";

export interface LayoutCase {
  name: string;
  shape: [number, number];
  params: TlParams | undefined;
  /** The kernel's payload (for TL: packed bytes, zero pad to 32, 32-byte scale block). */
  payload: Uint8Array;
  /** Ternary codes the bytes came from (TQ: derived from the float input by the TQ rule, see below). */
  codes: Int8Array;
  /** One per tensor (I2_S, TL) or one per (row, 256-block) (TQ). */
  scales: Float32Array;
  /** TQ only: libggml's dequantization of the bytes. */
  dequant?: Float32Array;
}

const file = (layout: KernelName, c: GoldenCase, role: string) => {
  const f = c.files[role];
  if (!f) throw new Error(`${layout}/${c.name}: no '${role}' file in the manifest`);
  return ["layouts", layout, f.file] as const;
};

function tlPayload(packed: Uint8Array, scale: Float32Array): Uint8Array {
  const at = Math.ceil(packed.length / 32) * 32;
  const out = new Uint8Array(at + 32);
  out.set(packed);
  out.set(new Uint8Array(scale.buffer, scale.byteOffset, 4), at);
  return out;
}

/**
 * The codes and block scales the TQ quantizer picks (ternary-layouts.md §5.1, bitnet-semantics §6):
 * d = max|x| per 256-block, id = d ? fround(1/d) : 0, t = RHAZ(fround(x·id)), scale = f16(d).
 */
function tqCodes(x: Float32Array, K: number): { codes: Int8Array; scales: Float32Array } {
  const blocks = x.length / 256;
  const codes = new Int8Array(x.length);
  const scales = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let d = 0;
    for (let i = b * 256; i < (b + 1) * 256; i++) d = Math.max(d, Math.abs(x[i]!));
    const id = d === 0 ? 0 : Math.fround(1 / d);
    for (let i = b * 256; i < (b + 1) * 256; i++) {
      const t = roundHalfAway(Math.fround(x[i]! * id));
      if (t < -1 || t > 1) throw new Error(`TQ rule gave t = ${t}`);
      codes[i] = t;
    }
    scales[b] = roundToF16(d);
  }
  if (K % 256 !== 0) throw new Error("TQ case with K % 256 != 0");
  return { codes, scales };
}

export function layoutCases(layout: KernelName): LayoutCase[] {
  return goldenCases(`layouts/${layout}`).map((c) => {
    const [M, K] = c.shape as [number, number];
    const base = { name: c.name, shape: [M, K] as [number, number] };
    const bytes = readU8(...file(layout, c, "expected"));
    if (layout === "tq1_0" || layout === "tq2_0") {
      const { codes, scales } = tqCodes(readF32(...file(layout, c, "input")), K);
      return { ...base, params: undefined, payload: bytes, codes, scales, dequant: readF32(...file(layout, c, "expected_dequant")) };
    }
    const scales = readF32(...file(layout, c, "input_scale"));
    const codes = readI8(...file(layout, c, "input_ternary"));
    if (layout === "i2_s") return { ...base, params: undefined, payload: bytes, codes, scales };
    const params = { BM: c.params.BM as number, BK: c.params.BK as number, bm: c.params.bm as number };
    return { ...base, params, payload: tlPayload(bytes, scales), codes, scales };
  });
}

export const LAYOUTS: KernelName[] = ["i2_s", "tl1", "tl2", "tq1_0", "tq2_0"];

/** Deterministic int8 activations covering the full range, −128 included (mulberry32). */
export function seededQ(K: number, seed: number): Int8Array {
  let s = seed >>> 0;
  const q = new Int8Array(K);
  for (let i = 0; i < K; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    q[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return q;
}

/** The TernpackError `fn` throws (any other outcome fails the test). */
export function caught(fn: () => unknown): TernpackError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TernpackError) return e;
    throw e;
  }
  throw new Error("expected a TernpackError");
}
