import { describe, expect, it } from "vitest";
import { i2_s } from "../../formats/layouts/i2_s.js";
import { getLayout } from "../../formats/layouts/registry.js";
import type { TernaryTensor } from "../../formats/layouts/types.js";
import { goldenCases, readF32, readI8, readJson, readU8, sha256 } from "../helpers/fixtures.js";
import { expectSameBytes, fakeQuantized, randomCodes, thrown } from "./tl-golden.js";

const FOLDER = "layouts/i2_s";
const cases = goldenCases(FOLDER).map((c) => ({
  c,
  tensor: {
    shape: c.shape,
    codes: readI8(FOLDER, c.files.input_ternary!.file),
    scales: readF32(FOLDER, c.files.input_scale!.file),
  } satisfies TernaryTensor,
  expected: readU8(FOLDER, c.files.expected!.file),
}));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("i2_s golden vectors (microsoft/BitNet quantize_to_i2_s)", () => {
  it("covers all seven cases", () => {
    expect(cases.map((x) => x.c.name)).toHaveLength(7);
  });

  for (const { c, tensor, expected } of cases) {
    it(`${c.name}: pack reproduces the bytes`, () => {
      const packed = i2_s.pack(tensor);
      expectSameBytes(packed, expected);
      expect(sha256(packed)).toBe(c.files.expected!.sha256);
      expect(hex(packed.subarray(packed.length - 32, packed.length - 28))).toBe(c.params.scale.le_hex);
    });

    it(`${c.name}: unpack recovers codes and scale`, () => {
      const back = i2_s.unpack(expected, c.shape);
      expect(Buffer.from(back.codes.buffer).equals(Buffer.from(tensor.codes.buffer))).toBe(true);
      expect(back.scales).toEqual(tensor.scales);
    });

    it(`${c.name}: decode gives scale·t`, () => {
      const decoded = i2_s.decode(expected, c.shape);
      expect(Buffer.from(decoded.buffer).equals(Buffer.from(fakeQuantized(tensor).buffer))).toBe(true);
    });

    it(`${c.name}: encode of ternary×scale floats (the fake-quant path)`, () => {
      const encoded = i2_s.encode(fakeQuantized(tensor), c.shape);
      const n4 = expected.length - 32;
      expectSameBytes(encoded.subarray(0, n4), expected.subarray(0, n4));
      expect(encoded.subarray(n4 + 4).every((b) => b === 0)).toBe(true);
      // All-zero matrices: the fake-quant path stores 1e-5 instead of the override scale.
      const scaleHex = c.checks!.offline_path_equals_fakequant_path ? c.params.scale.le_hex : c.checks!.fakequant_path_scale.le_hex;
      expect(hex(encoded.subarray(n4, n4 + 4))).toBe(scaleHex);
    });
  }

  it("all_zero_2x128 has a distinct fake-quant scale (1e-5) recorded by the manifest", () => {
    const zero = cases.find((x) => x.c.name === "all_zero_2x128")!;
    expect(zero.c.checks!.offline_path_equals_fakequant_path).toBe(false);
    expect(zero.c.checks!.fakequant_path_scale.le_hex).toBe("acc52737");
    expect(zero.expected.subarray(0, 64).every((b) => b === 0x55)).toBe(true);
  });

  it("ternary-layouts.md §7 checks", () => {
    const p1 = i2_s.pack(cases.find((x) => x.c.name === "pattern_1x128")!.tensor);
    expect(hex(p1)).toBe("1886611886611886611886611886611886611886611886611886611886611886" + "0000003f" + "00".repeat(28));
    const p4 = i2_s.pack(cases.find((x) => x.c.name === "pattern_4x256")!.tensor);
    expect(p4.length).toBe(288);
    expect(sha256(p4)).toBe("ad80f50214bcdd237c078e6bb956ec309980b5c8f103a428d6893a8f78abd524");
    expect(hex(p4.subarray(256, 260))).toBe("0000803e");
  });
});

describe("i2_s sizes and registration", () => {
  it("is registered as ggml type 36 with 128-element blocks", () => {
    expect(getLayout("i2_s")).toBe(i2_s);
    expect(i2_s.ggmlType).toBe(36);
    expect(i2_s.blockSize).toBe(128);
  });

  it("sizes the official 2B-4T tensors (ternary-layouts.md §7)", () => {
    expect(i2_s.bytesFor([2560, 2560])).toBe(1_638_432);
    expect(i2_s.bytesFor([640, 2560])).toBe(409_632);
    expect(i2_s.bytesFor([6912, 2560])).toBe(4_423_712);
    expect(i2_s.bytesFor([2560, 6912])).toBe(4_423_712);
  });
});

describe("i2_s rejections", () => {
  it("refuses the shapes BitNet's packer rejects (manifest inputs_rejected_by_reference)", () => {
    const rejected = readJson<{ inputs_rejected_by_reference: { shape: number[] }[] }>(FOLDER, "manifest.json");
    expect(rejected.inputs_rejected_by_reference.length).toBeGreaterThan(0);
    for (const { shape } of rejected.inputs_rejected_by_reference) {
      expect(thrown(() => i2_s.check(shape), "LAYOUT_UNSUPPORTED_SHAPE")).toContain(`K=${shape[1]}`);
    }
  });

  it("explains K % 128 != 0 (3B ffn_down, K = 8640) and suggests the F16/Q8_0 fallback", () => {
    const msg = thrown(() => i2_s.bytesFor([3200, 8640]), "LAYOUT_UNSUPPORTED_SHAPE");
    expect(msg).toContain("K=8640");
    expect(msg).toContain("drops");
    expect(msg).toMatch(/F16 or Q8_0/);
  });

  it("refuses 1-D and non-integer shapes", () => {
    thrown(() => i2_s.check([256]), "LAYOUT_UNSUPPORTED_SHAPE");
    thrown(() => i2_s.check([2, 128.5]), "INVALID_SHAPE");
  });

  it("rejects code 3 with its block and byte offset", () => {
    const bytes = i2_s.pack({ shape: [2, 256], codes: randomCodes(512, 7), scales: Float32Array.of(1) });
    bytes[3 * 32 + 5] = (bytes[3 * 32 + 5]! & ~0x0c) | 0x0c; // g = 2 of byte 5 in block 3
    const msg = thrown(() => i2_s.unpack(bytes, [2, 256]), "INVALID_CODE");
    expect(msg).toContain("block 3");
    expect(msg).toContain("byte 101");
  });

  it("accepts junk in the 28 tail bytes after the scale (llama-quantize leaves them uninitialised)", () => {
    const tensor: TernaryTensor = { shape: [1, 128], codes: randomCodes(128, 3), scales: Float32Array.of(0.75) };
    const bytes = i2_s.pack(tensor);
    bytes.fill(0xa5, 32 + 4);
    const back = i2_s.unpack(bytes, [1, 128]);
    expect(back.codes).toEqual(tensor.codes);
    expect(back.scales[0]).toBe(0.75);
  });

  it("rejects codes outside {-1, 0, 1}, wrong counts and wrong byte lengths", () => {
    const codes = new Int8Array(128);
    codes[77] = 2;
    expect(thrown(() => i2_s.pack({ shape: [1, 128], codes, scales: Float32Array.of(1) }), "INVALID_TERNARY")).toContain("column 77");
    thrown(() => i2_s.pack({ shape: [1, 128], codes: new Int8Array(127), scales: Float32Array.of(1) }), "SHAPE_MISMATCH");
    thrown(() => i2_s.pack({ shape: [1, 128], codes: new Int8Array(128), scales: Float32Array.of(1, 2) }), "SHAPE_MISMATCH");
    thrown(() => i2_s.pack({ shape: [1, 128], codes: new Int8Array(128), scales: Float32Array.of(NaN) }), "NON_FINITE");
    thrown(() => i2_s.unpack(new Uint8Array(63), [1, 128]), "SHAPE_MISMATCH");
    thrown(() => i2_s.encode(Float32Array.of(...new Array(127).fill(0), Infinity), [1, 128]), "NON_FINITE");
  });
});

describe("i2_s encode on non-ternary floats (ternpack's reading of the fake-quant path)", () => {
  it("takes the first |w| > 1e-6 as the scale and rounds w/scale half to even, clamped", () => {
    const values = new Float32Array(128);
    values.set([1e-7, -0.5, 0.25, 0.24, 0.26, 2, -3, 0.75]);
    const back = i2_s.unpack(i2_s.encode(values, [1, 128]), [1, 128]);
    expect(back.scales[0]).toBe(0.5);
    // w/scale: 2e-7, -1, 0.5 (tie → 0), 0.48, 0.52, 4 → 1, -6 → -1, 1.5 (tie → 2 → 1)
    expect(Array.from(back.codes.subarray(0, 8))).toEqual([0, -1, 0, 0, 1, 1, -1, 1]);
  });
});
