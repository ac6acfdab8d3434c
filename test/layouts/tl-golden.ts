/** Shared checks for the bitnet.cpp TL1/TL2 golden vectors and random round trips. */
import { expect } from "vitest";
import { firstDifference } from "../../formats/layouts/diff.js";
import type { Layout, TernaryTensor, TlParams } from "../../formats/layouts/types.js";
import { isTernpackError, type ErrorCode } from "../../src/core/errors.js";
import { goldenCases, readF32, readI8, readU8, sha256, type GoldenCase } from "../helpers/fixtures.js";
import { lcg32 } from "../../src/core/prng.js";

export interface TlGolden {
  c: GoldenCase;
  tensor: TernaryTensor;
  tl: TlParams;
  /** The reference's packed weight bytes (no scale block). */
  expected: Uint8Array;
  /** The full GGUF payload built from the manifest: expected, zeros, f32 scale at its offset, zeros. */
  payload: Uint8Array;
}

export function tlGolden(folder: string): TlGolden[] {
  return goldenCases(folder).map((c) => {
    const codes = readI8(folder, c.files.input_ternary!.file);
    const scales = readF32(folder, c.files.input_scale!.file);
    const expected = readU8(folder, c.files.expected!.file);
    const payload = new Uint8Array(c.params.ggml_nbytes);
    payload.set(expected);
    new DataView(payload.buffer).setUint32(c.params.scale_offset_in_tensor_data, Number(c.params.scale.bits), true);
    const tl = { BM: c.params.BM, BK: c.params.BK, bm: c.params.bm };
    return { c, tensor: { shape: c.shape, codes, scales }, tl, expected, payload };
  });
}

/** Byte equality with the first differing block/bit reported on failure. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, blockBytes = 32): void {
  expect(firstDifference(actual, expected, blockBytes)).toBeNull();
}

/** Checks a packed TL payload against a golden case: weight prefix, padding, scale block, size. */
export function expectGoldenPayload(g: TlGolden, packed: Uint8Array): void {
  const { c, expected } = g;
  expect(packed.length).toBe(c.params.ggml_nbytes);
  expectSameBytes(packed.subarray(0, expected.length), expected);
  expect(sha256(packed.subarray(0, expected.length))).toBe(c.files.expected!.sha256);
  const offset = c.params.scale_offset_in_tensor_data;
  expect(packed.subarray(expected.length, offset).every((b) => b === 0)).toBe(true);
  const le = Buffer.from(packed.subarray(offset, offset + 4)).toString("hex");
  expect(le).toBe(c.params.scale.le_hex);
  expect(packed.subarray(offset + 4).every((b) => b === 0)).toBe(true);
  expect(packed.length - offset - 4).toBe(28);
}

/** Deterministic pseudo-random ternary codes (LCG), roughly uniform over {-1, 0, +1}. */
export function randomCodes(n: number, seed: number): Int8Array {
  const out = new Int8Array(n);
  const next = lcg32(seed);
  for (let i = 0; i < n; i++) out[i] = Math.floor(((next() >>> 16) * 3) / 65536) - 1;
  return out;
}

/** Packs random codes with `params`, unpacks them, and expects codes and scale back bit-exactly. */
export function expectRoundTrip(layout: Layout, M: number, K: number, tl: TlParams, seed: number): void {
  const tensor: TernaryTensor = { shape: [M, K], codes: randomCodes(M * K, seed), scales: Float32Array.of(0.0123) };
  const bytes = layout.pack!(tensor, { tl });
  expect(bytes.length).toBe(layout.bytesFor([M, K], { tl }));
  const back = layout.unpack!(bytes, [M, K], { tl });
  expect(Buffer.from(back.codes.buffer).equals(Buffer.from(tensor.codes.buffer))).toBe(true);
  expect(back.scales).toEqual(tensor.scales);
}

/** The f32 values `t·scale` that BitNet's converter hands its packers. */
export function fakeQuantized({ codes, scales }: TernaryTensor): Float32Array {
  return Float32Array.from(codes, (t) => t * scales[0]!);
}

/** Runs `fn`, expects a TernpackError with `code`, and returns its message for further checks. */
export function thrown(fn: () => unknown, code: ErrorCode): string {
  try {
    fn();
  } catch (e) {
    if (isTernpackError(e, code)) return e.message;
    throw e;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}
