import { describe, expect, it } from "vitest";
import { getLayout } from "../../formats/layouts/registry.js";
import { tl1 } from "../../formats/layouts/tl1.js";
import type { TernaryTensor } from "../../formats/layouts/types.js";
import { sha256 } from "../helpers/fixtures.js";
import { expectGoldenPayload, expectRoundTrip, fakeQuantized, randomCodes, thrown, tlGolden } from "./tl-golden.js";

const cases = tlGolden("layouts/tl1");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const byName = (name: string) => cases.find((g) => g.c.name === name)!;

describe("tl1 golden vectors (microsoft/BitNet transform_to_tl1)", () => {
  it("covers all six cases", () => {
    expect(cases).toHaveLength(6);
  });

  for (const g of cases) {
    const { c, tensor, tl, payload } = g;
    it(`${c.name} (BM=${tl.BM} BK=${tl.BK} bm=${tl.bm}): pack reproduces the bytes, padding and scale block`, () => {
      expectGoldenPayload(g, tl1.pack(tensor, { tl }));
      expect(tl1.bytesFor(c.shape, { tl })).toBe(c.params.ggml_nbytes);
    });

    it(`${c.name}: unpack recovers codes and scale`, () => {
      const back = tl1.unpack(payload, c.shape, { tl });
      expect(Buffer.from(back.codes.buffer).equals(Buffer.from(tensor.codes.buffer))).toBe(true);
      expect(back.scales).toEqual(tensor.scales);
    });

    it(`${c.name}: encode(ternary×scale) gives the payload; decode gives scale·t`, () => {
      expectGoldenPayload(g, tl1.encode(fakeQuantized(tensor), c.shape, { tl }));
      const decoded = tl1.decode(payload, c.shape, { tl });
      expect(Buffer.from(decoded.buffer).equals(Buffer.from(fakeQuantized(tensor).buffer))).toBe(true);
    });
  }

  it("ternary-layouts.md §7 checks", () => {
    const a = byName("pattern_32x64");
    const pa = tl1.pack(a.tensor, { tl: { BM: 32, BK: 64, bm: 32 } });
    expect(sha256(pa.subarray(0, 512))).toBe("7cdd68446ec3423f791ee94fcba0899fd238cfd24d86fea2e4ed7839f8c8328c");
    expect(hex(pa.subarray(0, 16))).toBe("23377223377223377223377223377223");
    const b = byName("pattern_64x128");
    const pb = tl1.pack(b.tensor, { tl: { BM: 64, BK: 64, bm: 64 } });
    expect(sha256(pb.subarray(0, 2048))).toBe("95d82901b1fd166ebc070c0792a30d8c31569dca2f77261d90feacf43cab0cc0");
  });

  it("encode takes max|w| as the scale and sign(w) (|w| < 1e-6 → 0) as codes", () => {
    const values = new Float32Array(32 * 64);
    values.set([0.3, -0.7, 5e-7, -2, 1e-6, 0]);
    const back = tl1.unpack(tl1.encode(values, [32, 64], { tl: { BM: 32, BK: 64, bm: 32 } }), [32, 64], {
      tl: { BM: 32, BK: 64, bm: 32 },
    });
    expect(back.scales[0]).toBe(2);
    expect(Array.from(back.codes.subarray(0, 6))).toEqual([1, -1, 0, -1, 1, 0]);
  });
});

describe("tl1 parameters and constraints", () => {
  const codes = (M: number, K: number): TernaryTensor => ({ shape: [M, K], codes: randomCodes(M * K, 1), scales: Float32Array.of(1) });

  it("is registered as ggml type 38", () => {
    expect(getLayout("tl1")).toBe(tl1);
    expect(tl1.ggmlType).toBe(38);
  });

  it("names each violated constraint", () => {
    expect(thrown(() => tl1.check([100, 128], { tl: { BM: 64, BK: 64, bm: 32 } }), "LAYOUT_UNSUPPORTED_SHAPE")).toContain(
      "M=100 is not a multiple of BM=64",
    );
    expect(thrown(() => tl1.check([64, 96], { tl: { BM: 64, BK: 64, bm: 32 } }), "LAYOUT_UNSUPPORTED_SHAPE")).toContain(
      "K=96 is not a multiple of BK=64",
    );
    expect(thrown(() => tl1.check([96, 64], { tl: { BM: 96, BK: 64, bm: 64 } }), "LAYOUT_UNSUPPORTED_SHAPE")).toContain(
      "BM=96 is not a multiple of bm=64",
    );
    expect(thrown(() => tl1.check([64, 36], { tl: { BM: 64, BK: 12, bm: 32 } }), "LAYOUT_UNSUPPORTED_SHAPE")).toContain(
      "BK=12 is not a multiple of by = 256/bm=8",
    );
    expect(thrown(() => tl1.check([64, 64], { tl: { BM: 64, BK: 64, bm: 16 } }), "LAYOUT_UNSUPPORTED_SHAPE")).toContain("bm=16");
    expect(thrown(() => tl1.check([64, 64], { tl: { BM: 0, BK: 64, bm: 32 } }), "LAYOUT_UNSUPPORTED_SHAPE")).toContain("BM=0");
  });

  it("without params uses the exact bitnet.cpp preset, and refuses shapes that have none", () => {
    // bitnet_b1_58-large [1536, 1536]: BM=128, BK=64, bm=64.
    const t = codes(1536, 1536);
    const back = tl1.unpack(tl1.pack(t), [1536, 1536], { tl: { BM: 128, BK: 64, bm: 64 } });
    expect(Buffer.from(back.codes.buffer).equals(Buffer.from(t.codes.buffer))).toBe(true);
    expect(thrown(() => tl1.pack(codes(64, 128)), "LAYOUT_UNSUPPORTED_SHAPE")).toContain("no bitnet.cpp preset");
  });

  it("sizes are M·K/4 + 32", () => {
    expect(tl1.bytesFor([1536, 4096])).toBe((1536 * 4096) / 4 + 32);
  });

  it("rejects indices 9–15 as INVALID_CODE with the byte offset", () => {
    const tl = { BM: 32, BK: 64, bm: 32 };
    for (const [at, value, nibble] of [[0, 0x94, "high"], [37, 0x4f, "low"]] as const) {
      const bytes = tl1.pack({ shape: [32, 64], codes: new Int8Array(32 * 64), scales: Float32Array.of(1) }, { tl });
      expect(bytes[at]).toBe(0x44); // all-zero codes: index 4 in both nibbles
      bytes[at] = value;
      const msg = thrown(() => tl1.unpack(bytes, [32, 64], { tl }), "INVALID_CODE");
      expect(msg).toContain(`byte ${at}`);
      expect(msg).toContain(`${nibble} nibble`);
    }
  });

  it("rejects bad codes, scale counts and byte lengths", () => {
    const tl = { BM: 32, BK: 64, bm: 32 };
    const bad = new Int8Array(32 * 64);
    bad[70] = -2;
    expect(thrown(() => tl1.pack({ shape: [32, 64], codes: bad, scales: Float32Array.of(1) }, { tl }), "INVALID_TERNARY")).toContain(
      "row 1, column 6",
    );
    thrown(() => tl1.pack({ shape: [32, 64], codes: new Int8Array(2048), scales: new Float32Array(0) }, { tl }), "SHAPE_MISMATCH");
    thrown(() => tl1.unpack(new Uint8Array(512), [32, 64], { tl }), "SHAPE_MISMATCH");
  });

  it("round-trips random codes over several tilings", () => {
    expectRoundTrip(tl1, 96, 192, { BM: 32, BK: 64, bm: 32 }, 11);
    expectRoundTrip(tl1, 320, 256, { BM: 320, BK: 128, bm: 64 }, 12);
    expectRoundTrip(tl1, 160, 64, { BM: 160, BK: 64, bm: 32 }, 13);
  });
});
