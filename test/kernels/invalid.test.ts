/** Bytes the packers never write are INVALID_CODE (with the payload offset); bad arguments are refused. */
import { describe, expect, it } from "vitest";
import { denseGemv, getKernel, hasKernel, KERNEL_NAMES, type Kernel, type KernelName, type TlParams } from "../../kernels/index.js";
import { layoutCases, caught } from "./golden-layouts.js";

/** codes(), dequantize() and gemv() must all refuse the payload with INVALID_CODE at `offset`. */
function expectInvalidEverywhere(kernel: Kernel, payload: Uint8Array, shape: [number, number], params: TlParams | undefined, offset: number) {
  const q = new Int8Array(shape[1]).fill(1);
  for (const call of [
    () => kernel.codes(payload, shape, params),
    () => kernel.dequantize(payload, shape, params),
    () => kernel.gemv(payload, shape, params, q, 1),
  ]) {
    expect(caught(call)).toMatchObject({ code: "INVALID_CODE", offset });
  }
}

function mutated(layout: KernelName, caseName: string, offset: number, edit: (b: number) => number) {
  const c = layoutCases(layout).find((x) => x.name === caseName)!;
  const payload = c.payload.slice();
  payload[offset] = edit(payload[offset]!);
  expect(payload[offset]).not.toBe(c.payload[offset]);
  return { c, payload };
}

describe("invalid codes", () => {
  it("I2_S: a 2-bit code 3", () => {
    const { c, payload } = mutated("i2_s", "random_8x512", 77, (b) => b | 0x30);
    expectInvalidEverywhere(getKernel("i2_s"), payload, c.shape, undefined, 77);
  });

  it("TQ2_0: a 2-bit code 3, while the f16 d bytes are not code bytes", () => {
    const { c, payload } = mutated("tq2_0", "gaussian", 66 + 40, (b) => b | 0xc0);
    expectInvalidEverywhere(getKernel("tq2_0"), payload, c.shape, undefined, 106);
    const dOnly = c.payload.slice();
    dOnly[64] = 0xff; // d of block 0: any f16 is acceptable
    dOnly[65] = 0x7b;
    expect(getKernel("tq2_0").codes(dOnly, c.shape).scales[0]).toBe(65504);
  });

  it("TL1: a pair index above 8 in either nibble", () => {
    for (const edit of [(b: number) => (b & 0x0f) | 0x90, (b: number) => (b & 0xf0) | 0x0f]) {
      const { c, payload } = mutated("tl1", "random_96x192_multi_tile", 1000, edit);
      expectInvalidEverywhere(getKernel("tl1"), payload, c.shape, c.params, 1000);
    }
  });

  it("TL2: a triple magnitude above 13 in the index area", () => {
    const { c, payload } = mutated("tl2", "pattern_64x320", 123, (b) => (b & 0xf0) | 0x0e);
    expectInvalidEverywhere(getKernel("tl2"), payload, c.shape, c.params, 123);
  });

  it("TL2: a pair index above 8 in the two-weight area", () => {
    // pattern_64x320: index area 64·288/6 = 3072 bytes, sign area 768, so pairs start at 3840
    const { c, payload } = mutated("tl2", "pattern_64x320", 3840 + 5, (b) => (b & 0x0f) | 0xa0);
    expectInvalidEverywhere(getKernel("tl2"), payload, c.shape, c.params, 3845);
  });

  it("TL2: a sign bit on a zero triple", () => {
    // All-zero weights: every index nibble 0 and every sign bit clear is valid; any set sign bit is not.
    const shape: [number, number] = [32, 288];
    const params = { BM: 32, BK: 96, bm: 32 };
    const payload = new Uint8Array(2272 + 32); // pad32(L = 2261) + scale block
    const kernel = getKernel("tl2");
    expect(Array.from(kernel.codes(payload, shape, params).codes).every((t) => t === 0)).toBe(true);
    const signByte = 1536 + 100; // index area is 32·288/6 = 1536 bytes
    payload[signByte] = 0x04;
    expectInvalidEverywhere(kernel, payload, shape, params, signByte);
  });

  it("TQ1_0: a non-canonical qs byte, and a qh byte whose fifth digit is not 0", () => {
    const canonical = new Set(Array.from({ length: 243 }, (_, v) => Math.floor((v * 256 + 242) / 243)));
    const nonCanonical = Array.from({ length: 256 }, (_, b) => b).find((b) => !canonical.has(b))!;
    const qs = mutated("tq1_0", "gaussian", 54 + 10, () => nonCanonical);
    expectInvalidEverywhere(getKernel("tq1_0"), qs.payload, qs.c.shape, undefined, 64);
    // v = 1 (digits 0,0,0,0,1) is canonical byte 2: fine in qs, never written in qh
    const qh = mutated("tq1_0", "gaussian", 48 + 2, () => 2);
    expectInvalidEverywhere(getKernel("tq1_0"), qh.payload, qh.c.shape, undefined, 50);
  });
});

describe("argument checks", () => {
  const i2s = layoutCases("i2_s").find((c) => c.name === "pattern_4x256")!;
  const tl1 = layoutCases("tl1")[0]!;
  const tq2 = layoutCases("tq2_0")[0]!;

  it("payload length must match the shape exactly", () => {
    expect(caught(() => getKernel("i2_s").codes(i2s.payload.subarray(1), i2s.shape)).code).toBe("SHAPE_MISMATCH");
    expect(caught(() => getKernel("tq2_0").codes(tq2.payload.subarray(66), tq2.shape)).code).toBe("SHAPE_MISMATCH");
    expect(caught(() => getKernel("tl1").codes(tl1.payload.subarray(32), tl1.shape, tl1.params)).code).toBe("SHAPE_MISMATCH");
  });

  it("shapes must be [M, K] of positive integers", () => {
    expect(caught(() => getKernel("i2_s").codes(i2s.payload, [1024])).code).toBe("INVALID_SHAPE");
    expect(caught(() => getKernel("i2_s").codes(i2s.payload, [0, 256])).code).toBe("INVALID_SHAPE");
    expect(caught(() => getKernel("i2_s").codes(i2s.payload, [4, 25.5])).code).toBe("INVALID_SHAPE");
  });

  it("layout shape rules", () => {
    expect(caught(() => getKernel("tq1_0").codes(new Uint8Array(54), [1, 128])).code).toBe("LAYOUT_UNSUPPORTED_SHAPE");
    expect(caught(() => getKernel("i2_s").codes(new Uint8Array(48), [1, 64])).code).toBe("LAYOUT_UNSUPPORTED_SHAPE");
    expect(caught(() => getKernel("tl2").codes(new Uint8Array(4096), [32, 192], { BM: 32, BK: 96, bm: 32 })).code).toBe(
      "LAYOUT_UNSUPPORTED_SHAPE",
    );
    expect(caught(() => getKernel("tl1").codes(tl1.payload, tl1.shape, { BM: 32, BK: 64, bm: 48 })).code).toBe("LAYOUT_UNSUPPORTED_SHAPE");
    expect(caught(() => getKernel("tl1").codes(tl1.payload, tl1.shape, { BM: 64, BK: 64, bm: 32 })).code).toBe("LAYOUT_UNSUPPORTED_SHAPE");
    expect(caught(() => getKernel("tl2").codes(tl1.payload, tl1.shape, { BM: 32, BK: 64, bm: 64 })).code).toBe("LAYOUT_UNSUPPORTED_SHAPE");
  });

  it("I2_S decodes M·K % 128 == 0 with K % 128 != 0, but its GEMV refuses such rows", () => {
    const payload = new Uint8Array(2 * 16 + 32).fill(0x55, 0, 32); // [2, 64]: all codes 1 (t = 0)
    const kernel = getKernel("i2_s");
    expect(Array.from(kernel.codes(payload, [2, 64]).codes).every((t) => t === 0)).toBe(true);
    expect(caught(() => kernel.gemv(payload, [2, 64], undefined, new Int8Array(64), 1)).code).toBe("LAYOUT_UNSUPPORTED_SHAPE");
  });

  it("TL kernels need their tiling parameters", () => {
    expect(caught(() => getKernel("tl1").codes(tl1.payload, tl1.shape)).code).toBe("USAGE");
    expect(caught(() => getKernel("tl2").gemv(tl1.payload, tl1.shape, undefined, new Int8Array(64), 1)).code).toBe("USAGE");
  });

  it("activations must have K elements and a positive scale", () => {
    const k = getKernel("i2_s");
    expect(caught(() => k.gemv(i2s.payload, i2s.shape, undefined, new Int8Array(255), 1)).code).toBe("SHAPE_MISMATCH");
    for (const sx of [0, -1, NaN]) expect(caught(() => k.gemv(i2s.payload, i2s.shape, undefined, new Int8Array(256), sx)).code).toBe("USAGE");
  });

  it("getKernel knows the five ternary layouts only", () => {
    expect(["i2_s", "tl1", "tl2", "tq1_0", "tq2_0"].map((n) => getKernel(n).name)).toEqual(["i2_s", "tl1", "tl2", "tq1_0", "tq2_0"]);
    expect(KERNEL_NAMES).toEqual(["i2_s", "tl1", "tl2", "tq1_0", "tq2_0"]);
    expect([hasKernel("tq2_0"), hasKernel("q8_0"), hasKernel("toString")]).toEqual([true, false, false]);
    expect(caught(() => getKernel("q8_0")).code).toBe("LAYOUT_UNKNOWN");
  });

  it("denseGemv checks codes, group size and scale count", () => {
    const q = new Int8Array(4);
    expect(caught(() => denseGemv(Int8Array.of(0, 1, 2, 0), [1, 4], q, 1, Float32Array.of(1), 4)).code).toBe("INVALID_TERNARY");
    expect(caught(() => denseGemv(new Int8Array(4), [1, 4], q, 1, Float32Array.of(1), 3)).code).toBe("USAGE");
    expect(caught(() => denseGemv(new Int8Array(4), [1, 4], q, 1, Float32Array.of(1, 2, 3), 2)).code).toBe("SHAPE_MISMATCH");
    expect(caught(() => denseGemv(new Int8Array(5), [1, 4], q, 1, Float32Array.of(1), 4)).code).toBe("SHAPE_MISMATCH");
  });
});
