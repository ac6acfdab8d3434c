/** Shared checks of layouts against their golden fixtures (fixtures/layouts/<name>/). */
import { expect } from "vitest";
import { firstDifference } from "../../formats/layouts/diff.js";
import { goldenCases, readF32, readJson, readU8, sha256, type GoldenCase } from "../helpers/fixtures.js";

export interface LoadedCase {
  name: string;
  shape: number[];
  params: Record<string, any>;
  info: Record<string, any> | undefined;
  input: Float32Array;
  expected: Uint8Array;
  dequant: Float32Array;
  raw: GoldenCase;
}

/** Every case of a layouts/<name> folder, with its files read and their sha256 checked. */
export function loadCases(name: string): LoadedCase[] {
  const folder = `layouts/${name}`;
  return goldenCases(folder).map((c) => {
    const expected = readU8(folder, c.files.expected!.file);
    expect(sha256(expected), `${c.name}: fixture intact`).toBe(c.files.expected!.sha256);
    return {
      name: c.name,
      shape: c.shape,
      params: c.params,
      info: c.info,
      input: readF32(folder, c.files.input!.file),
      expected,
      dequant: readF32(folder, c.files.expected_dequant!.file),
      raw: c,
    };
  });
}

export function manifest(name: string): Record<string, any> {
  return readJson(`layouts/${name}`, "manifest.json");
}

/** The bytes under a typed array (no copy). */
export function bytesOf(a: Float32Array | Uint32Array | Int8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Byte-exact equality; a mismatch names the first differing block, byte and bits. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, blockBytes: number, what: string): void {
  expect(firstDifference(actual, expected, blockBytes), what).toBeNull();
}

/** float32 equality on bit patterns (so NaNs compare), reported per block of `blockElements`. */
export function expectSameBits(actual: Float32Array, expected: Float32Array, blockElements: number, what: string): void {
  expectSameBytes(bytesOf(actual), bytesOf(expected), blockElements * 4, what);
}

export function countNonFinite(values: Float32Array): { nan: number; inf: number } {
  let nan = 0;
  let inf = 0;
  for (const v of values) {
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
  }
  return { nan, inf };
}
