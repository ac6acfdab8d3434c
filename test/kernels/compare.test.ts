/** Diagnostics of the bit-exact comparisons. */
import { describe, expect, it } from "vitest";
import { compareCodes, compareF32, compareI32 } from "../../kernels/index.js";
import { f32FromBits } from "../../src/core/half.js";

const bitsArray = (...bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);

describe("compareCodes / compareI32", () => {
  it("equal arrays", () => {
    expect(compareCodes(Int8Array.of(-1, 0, 1), Int8Array.of(-1, 0, 1))).toEqual({ equal: true, mismatches: 0 });
  });

  it("counts mismatches and locates the first by row, column and block", () => {
    const expected = new Int8Array(2 * 512);
    const actual = expected.slice();
    actual[512 + 300] = 1;
    actual[512 + 301] = -1;
    actual[1000] = 1;
    const r = compareCodes(actual, expected, { cols: 512, blockSize: 256 });
    expect(r).toEqual({ equal: false, mismatches: 3, first: { index: 812, row: 1, col: 300, block: 1, actual: 1, expected: 0 } });
  });

  it("reports a length difference", () => {
    const r = compareI32(Int32Array.of(5, 6), Int32Array.of(5, 6, 7));
    expect(r).toMatchObject({ equal: false, mismatches: 1, lengths: { actual: 2, expected: 3 }, first: { index: 2, expected: 7 } });
    expect(Number.isNaN(r.first!.actual)).toBe(true);
  });

  it("int32 values beyond int16", () => {
    expect(compareI32(Int32Array.of(520192, -520192), Int32Array.of(520192, -520191))).toMatchObject({
      mismatches: 1,
      first: { index: 1, actual: -520192, expected: -520191 },
    });
  });
});

describe("compareF32", () => {
  it("compares bit patterns: +0 and −0 differ", () => {
    const r = compareF32(Float32Array.of(0), Float32Array.of(-0));
    expect(r).toMatchObject({ equal: false, mismatches: 1, first: { actualBits: "0x00000000", expectedBits: "0x80000000" } });
  });

  it("NaN: any payload by default, exact payload with nan: 'bits', never equal to a number", () => {
    const a = bitsArray(0x7fc00000, 0x3f800000);
    const b = bitsArray(0xffc00000, 0x3f800000);
    expect(compareF32(a, b)).toEqual({ equal: true, mismatches: 0 });
    expect(compareF32(a, b, { nan: "bits" })).toMatchObject({ mismatches: 1, first: { index: 0, actualBits: "0x7fc00000" } });
    expect(compareF32(bitsArray(0x7fc00000), Float32Array.of(1)).equal).toBe(false);
    expect(compareF32(Float32Array.of(1), bitsArray(0x7fc00000)).equal).toBe(false);
  });

  it("maxUlps allows neighbours only", () => {
    const one = 0x3f800000;
    const near = bitsArray(one + 1, one - 1);
    const far = bitsArray(one + 2);
    expect(compareF32(near, bitsArray(one, one), { maxUlps: 1 }).equal).toBe(true);
    expect(compareF32(near, bitsArray(one, one)).mismatches).toBe(2);
    expect(compareF32(far, bitsArray(one), { maxUlps: 1 })).toMatchObject({ mismatches: 1, first: { ulps: 2 } });
    // across zero: the smallest positive and negative subnormals are 2 ulps apart
    expect(compareF32(bitsArray(0x00000001), bitsArray(0x80000001), { maxUlps: 1 }).equal).toBe(false);
    expect(compareF32(bitsArray(0x00000001), bitsArray(0x80000001), { maxUlps: 2 }).equal).toBe(true);
    expect(f32FromBits(0x80000001)).toBeLessThan(0);
  });
});
