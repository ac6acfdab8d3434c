import { describe, expect, it } from "vitest";
import { getLayout } from "../../formats/layouts/registry.js";
import { tl2AreaBytes, tl2Split } from "../../formats/layouts/tl-constraints.js";
import { tl2PaddedLength } from "../../formats/gguf/tensor-bytes.js";
import { tl2 } from "../../formats/layouts/tl2.js";
import type { TernaryTensor, TlParams } from "../../formats/layouts/types.js";
import { sha256 } from "../helpers/fixtures.js";
import { expectGoldenPayload, expectRoundTrip, fakeQuantized, thrown, tlGolden } from "./tl-golden.js";

const cases = tlGolden("layouts/tl2");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const byName = (name: string) => cases.find((g) => g.c.name === name)!;
const zeros = (M: number, K: number): TernaryTensor => ({ shape: [M, K], codes: new Int8Array(M * K), scales: Float32Array.of(1) });

describe("tl2 golden vectors (microsoft/BitNet transform_to_tl2)", () => {
  it("covers all six cases, at least one with a pair tail", () => {
    expect(cases).toHaveLength(6);
    expect(cases.some((g) => g.c.params.K2 > 0)).toBe(true);
  });

  for (const g of cases) {
    const { c, tensor, tl, payload } = g;
    it(`${c.name} (BM=${tl.BM} BK=${tl.BK}, K2=${c.params.K2}): pack reproduces bytes, padding and scale block`, () => {
      expectGoldenPayload(g, tl2.pack(tensor, { tl }));
      expect(tl2.bytesFor(c.shape, { tl })).toBe(c.params.ggml_nbytes);
    });

    it(`${c.name}: area sizes and the padding formula match the manifest`, () => {
      const [M, K] = c.shape as [number, number];
      expect(tl2Split(K, tl.BK)).toEqual({ K3: c.params.K3, K2: c.params.K2 });
      expect(tl2AreaBytes(M, K, tl.BK)).toEqual({ index: c.params.index_bytes, sign: c.params.sign_bytes, two: c.params.two_bytes });
      expect(tl2PaddedLength(K, M)).toBe(c.params.padded_len);
    });

    it(`${c.name}: unpack recovers codes and scale`, () => {
      const back = tl2.unpack(payload, c.shape, { tl });
      expect(Buffer.from(back.codes.buffer).equals(Buffer.from(tensor.codes.buffer))).toBe(true);
      expect(back.scales).toEqual(tensor.scales);
    });

    it(`${c.name}: encode(ternary×scale) gives the payload; decode gives scale·t`, () => {
      expectGoldenPayload(g, tl2.encode(fakeQuantized(tensor), c.shape, { tl }));
      const decoded = tl2.decode(payload, c.shape, { tl });
      expect(Buffer.from(decoded.buffer).equals(Buffer.from(fakeQuantized(tensor).buffer))).toBe(true);
    });
  }

  it("ternary-layouts.md §7 checks", () => {
    const tl = { BM: 32, BK: 96, bm: 32 };
    const a = tl2.pack(byName("pattern_32x288").tensor, { tl });
    expect(sha256(a.subarray(0, 2261))).toBe("36e4fa2e41903a2f21f4733636dd3242b516ae355c634fc063c361915e2d426f");
    expect(hex(a.subarray(0, 16))).toBe("66228866228866222288662288662288");
    const b = tl2.pack(byName("pattern_64x320").tensor, { tl });
    expect(sha256(b.subarray(0, 4949))).toBe("cc5a6881026e110b650ad1e7db1a83035062859fe5a6581c35a005f79aabba21");
  });
});

describe("tl2 parameters and constraints", () => {
  const tl: TlParams = { BM: 32, BK: 96, bm: 32 };

  it("is registered as ggml type 39", () => {
    expect(getLayout("tl2")).toBe(tl2);
    expect(tl2.ggmlType).toBe(39);
  });

  it("rejects K < 256", () => {
    expect(thrown(() => tl2.check([32, 192], { tl }), "LAYOUT_UNSUPPORTED_SHAPE")).toContain("K=192 is below 256");
  });

  it("names each violated constraint", () => {
    const msg = (shape: number[], p: TlParams) => thrown(() => tl2.check(shape, { tl: p }), "LAYOUT_UNSUPPORTED_SHAPE");
    expect(msg([32, 288], { BM: 32, BK: 96, bm: 64 })).toContain("bm=64 is not 32");
    expect(msg([100, 288], { BM: 64, BK: 96, bm: 32 })).toContain("M=100 is not a multiple of BM=64");
    expect(msg([48, 288], { BM: 48, BK: 96, bm: 32 })).toContain("BM=48 is not a multiple of bm=32");
    expect(msg([32, 288], { BM: 32, BK: 36, bm: 32 })).toContain("BK=36 is not a multiple of 8 triples=24");
    expect(msg([32, 304], tl)).toContain("pair tail K mod BK = 16 is not a multiple of 32");
    expect(msg([32, 288], { BM: 32, BK: 312, bm: 32 })).toContain("BK=312 exceeds K=288");
    expect(msg([32, 600], { BM: 32, BK: 312, bm: 32 })).toContain("exceeds the formula length");
  });

  it("without params uses the exact preset, and refuses shapes that have none", () => {
    expect(tl2.bytesFor([3200, 3200])).toBe(tl2.bytesFor([3200, 3200], { tl: { BM: 320, BK: 96, bm: 32 } }));
    expect(thrown(() => tl2.bytesFor([32, 288]), "LAYOUT_UNSUPPORTED_SHAPE")).toContain("no bitnet.cpp preset");
  });

  it("sizes 2B-4T shapes as in ternary-layouts.md §3.6", () => {
    const p = { tl: { BM: 32, BK: 96, bm: 32 } };
    expect(tl2.bytesFor([2560, 2560], p)).toBe(1_392_672);
    expect(tl2.bytesFor([640, 2560], p)).toBe(348_192);
    expect(tl2.bytesFor([6912, 2560], p)).toBe(3_760_160);
    expect(tl2.bytesFor([2560, 6912], p)).toBe(3_713_760);
  });

  it("rejects triple magnitudes 14 and 15", () => {
    const bytes = tl2.pack(zeros(32, 288), { tl });
    bytes[64] = 0xe0;
    expect(thrown(() => tl2.unpack(bytes, [32, 288], { tl }), "INVALID_CODE")).toContain("magnitude 14");
    bytes[64] = 0x0f;
    expect(thrown(() => tl2.unpack(bytes, [32, 288], { tl }), "INVALID_CODE")).toContain("magnitude 15");
  });

  it("rejects a sign bit set on a zero triple", () => {
    const bytes = tl2.pack(zeros(32, 288), { tl });
    const signStart = (32 * 288) / 6;
    bytes[signStart + 7] = 0x10;
    const msg = thrown(() => tl2.unpack(bytes, [32, 288], { tl }), "INVALID_CODE");
    expect(msg).toContain(`byte ${signStart + 7}`);
    expect(msg).toContain("zero triple");
  });

  it("rejects pair indices above 8 in the two-weight area", () => {
    const bytes = tl2.pack(zeros(64, 320), { tl });
    const twoStart = 3072 + 768; // index + sign bytes of 64×320 with BK = 96 (manifest pattern_64x320)
    expect(bytes[twoStart]).toBe(0x44);
    bytes[twoStart] = 0x4c;
    expect(thrown(() => tl2.unpack(bytes, [64, 320], { tl }), "INVALID_CODE")).toContain("pair index 12");
  });

  it("rejects non-zero bytes in the padding before the scale block", () => {
    const bytes = tl2.pack(zeros(32, 288), { tl });
    bytes[1920] = 1; // first byte after the data (manifest data_bytes_before_padding = 1920)
    expect(thrown(() => tl2.unpack(bytes, [32, 288], { tl }), "INVALID_CODE")).toContain("byte 1920");
    bytes[1920] = 0;
    bytes[2271] = 0x80; // last byte of the pad32 gap before the scale at 2272
    expect(thrown(() => tl2.unpack(bytes, [32, 288], { tl }), "INVALID_CODE")).toContain("byte 2271");
  });

  it("round-trips random codes over several tilings, with and without a pair tail", () => {
    expectRoundTrip(tl2, 96, 288, { BM: 32, BK: 96, bm: 32 }, 21);
    expectRoundTrip(tl2, 128, 416, { BM: 128, BK: 192, bm: 32 }, 22);
    expectRoundTrip(tl2, 64, 272, { BM: 64, BK: 48, bm: 32 }, 23);
    expectRoundTrip(tl2, 160, 544, { BM: 160, BK: 96, bm: 32 }, 24);
  });
});
