import { describe, it, expect } from "vitest";
import {
  packHfBitnet,
  unpackHfBitnet,
  hfPackedToTernary,
  weightScaleConvention,
  describeWeightScaleConvention,
  sigmaFromWeightScale,
} from "../../src/quant/index.js";
import { isTernpackError, type TernpackError } from "../../src/core/errors.js";
import { f32FromBits } from "../../src/core/half.js";
import { goldenCases, readI8, readU8 } from "../helpers/fixtures.js";
import { firstBitMismatch } from "./golden-absmean.js";

const HF = "hf-bitnet-pack";

function thrown(fn: () => unknown): TernpackError {
  try {
    fn();
  } catch (e) {
    if (isTernpackError(e)) return e;
    throw e;
  }
  throw new Error("expected a throw");
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe("HF BitNet packing golden (transformers pack_weights / unpack_weights)", () => {
  for (const c of goldenCases(HF)) {
    const ternary = readI8(HF, c.files.input_ternary!.file);
    const packed = readU8(HF, c.files.expected_packed!.file);
    const unpacked = readI8(HF, c.files.expected_unpacked!.file);

    it(`${c.name} ${JSON.stringify(c.shape)}: pack → .packed.u8`, () => {
      const p = packHfBitnet(ternary, c.shape);
      expect(p.packedShape).toEqual(c.params.packed_shape);
      expect(bytesEqual(p.packed, packed)).toBe(true);
    });

    it(`${c.name}: unpack → .unpacked.i8 (4R rows), sliced → ternary.i8`, () => {
      const full = unpackHfBitnet(packed, c.params.packed_shape);
      expect(full.shape).toEqual(c.params.unpacked_shape);
      expect(firstBitMismatch(full.codes, unpacked)).toBe(-1);
      const sliced = unpackHfBitnet(packed, c.params.packed_shape, { outFeatures: c.shape[0] });
      expect(sliced.shape).toEqual(c.shape);
      expect(firstBitMismatch(sliced.codes, ternary)).toBe(-1);
    });
  }

  it("out % 4 != 0: padding rows decode to −1 and are sliced off", () => {
    const full = unpackHfBitnet(readU8(HF, "out_mod4_1_5x3.packed.u8"), [2, 3]);
    expect([...full.codes.subarray(5 * 3)]).toEqual(new Array(9).fill(-1)); // rows 5, 6, 7
  });

  it("the spec's example: 8×2, packed[0][0] = 0b10100001 → rows 0, 2, 4, 6 = 0, −1, +1, +1", () => {
    const packed = Uint8Array.of(0b10100001, 0b01010101, 0b01010101, 0b01010101);
    const { codes } = unpackHfBitnet(packed, [2, 2]);
    expect([0, 2, 4, 6].map((r) => codes[r * 2])).toEqual([0, -1, 1, 1]);
    expect([1, 3, 5, 7].map((r) => codes[r * 2])).toEqual([0, 0, 0, 0]);
  });
});

describe("HF BitNet packing errors", () => {
  it("code 3 → INVALID_CODE with its position", () => {
    const packed = readU8(HF, "random_8x16.packed.u8"); // R = 2, 16 columns
    packed[16 + 5] = packed[16 + 5]! | (3 << 4); // byte [1, 5], bits 4..5 → row 2·2 + 1 = 5, column 5
    const e = thrown(() => unpackHfBitnet(packed, [2, 16], { tensor: "blk.3.ffn_up.weight", fileOffset: 1000 }));
    expect(e.code).toBe("INVALID_CODE");
    expect(e.offset).toBe(1021);
    expect(e.message).toContain("row 5, column 5");
    expect(e.message).toContain("blk.3.ffn_up.weight");
  });

  it("pack refuses codes outside {−1, 0, +1}", () => {
    const codes = new Int8Array(8);
    codes[6] = 2;
    const e = thrown(() => packHfBitnet(codes, [4, 2]));
    expect(e.code).toBe("INVALID_TERNARY");
    expect(e.message).toContain("row 3, column 0");
  });

  it("out_features inconsistent with R, or bytes not matching the shape → SHAPE_MISMATCH", () => {
    const packed = readU8(HF, "out_mod4_2_6x8.packed.u8"); // R = 2
    expect(thrown(() => unpackHfBitnet(packed, [2, 8], { outFeatures: 4 })).code).toBe("SHAPE_MISMATCH");
    expect(thrown(() => unpackHfBitnet(packed, [2, 8], { outFeatures: 9 })).code).toBe("SHAPE_MISMATCH");
    expect(thrown(() => unpackHfBitnet(packed, [3, 8])).code).toBe("SHAPE_MISMATCH");
    expect(unpackHfBitnet(packed, [2, 8], { outFeatures: 5 }).shape).toEqual([5, 8]);
  });
});

describe("weight_scale conventions", () => {
  it("linear_class missing → bitlinear (divide), reported as defaulted", () => {
    const c = weightScaleConvention({ quantization_config: { quant_method: "bitnet" } });
    expect(c).toEqual({ convention: "divide", linearClass: "bitlinear", source: "default", mode: "offline", modeSource: "default" });
    expect(describeWeightScaleConvention(c)).toContain("defaulted");
    expect(describeWeightScaleConvention(c)).toContain("1 / weight_scale");
  });

  it("bitlinear and autobitlinear from the config", () => {
    const bit = weightScaleConvention({ quantization_config: { quant_method: "bitnet", linear_class: "bitlinear" } });
    expect([bit.convention, bit.source]).toEqual(["divide", "config"]);
    const auto = weightScaleConvention({
      quantization_config: { quant_method: "bitnet", linear_class: "autobitlinear", quantization_mode: "offline" },
    });
    expect(auto).toEqual({ convention: "multiply", linearClass: "autobitlinear", source: "config", mode: "offline", modeSource: "config" });
    expect(describeWeightScaleConvention(auto)).not.toContain("defaulted");
  });

  it("unknown values → INVALID_CONFIG naming the field", () => {
    const bad = [
      [{ quant_method: "bitnet", linear_class: "BitLinear" }, "quantization_config.linear_class"],
      [{ quant_method: "bitnet", linear_class: 3 }, "quantization_config.linear_class"],
      [{ quant_method: "bitnet", quantization_mode: "lazy" }, "quantization_config.quantization_mode"],
      [{ quant_method: "gptq" }, "quantization_config.quant_method"],
    ] as const;
    for (const [qc, field] of bad) {
      const e = thrown(() => weightScaleConvention({ quantization_config: qc }));
      expect(e.code).toBe("INVALID_CONFIG");
      expect(e.message).toContain(field);
    }
    expect(thrown(() => weightScaleConvention({ hidden_size: 8 })).message).toContain("quantization_config is missing");
  });

  it("σ from the golden absmean scalars: bitlinear stores s, autobitlinear stores γ", () => {
    // gaussian_64x256 per tensor: γ = 0x3c83a84f, s = 0x4278e367, 1/s = 0x3c83a84f (golden manifest).
    const gamma = f32FromBits(0x3c83a84f);
    const s = f32FromBits(0x4278e367);
    expect(sigmaFromWeightScale(s, "divide")).toBe(f32FromBits(0x3c83a84f));
    expect(sigmaFromWeightScale(gamma, "multiply")).toBe(gamma);
    // outlier_8x256: 1/s (0x3ce014c4) differs from γ (0x3ce014c5) in the last bit.
    expect(sigmaFromWeightScale(f32FromBits(0x42123b96), "divide")).toBe(f32FromBits(0x3ce014c4));
  });

  it("hfPackedToTernary applies the convention: ws = 4 → σ = 0.25 (bitlinear) or 4 (autobitlinear)", () => {
    const packed = readU8(HF, "random_64x128.packed.u8");
    const ternary = readI8(HF, "random_64x128.ternary.i8");
    const bit = weightScaleConvention({ quantization_config: { quant_method: "bitnet" } });
    const a = hfPackedToTernary(packed, [16, 128], 64, 4, bit);
    expect(a.scale).toBe(0.25);
    expect(a.shape).toEqual([64, 128]);
    expect(firstBitMismatch(a.codes, ternary)).toBe(-1);
    expect(hfPackedToTernary(packed, [16, 128], 64, 4, "multiply").scale).toBe(4);
  });

  it("bad weight_scale values and online mode are refused", () => {
    const packed = readU8(HF, "out_1_1x4.packed.u8");
    expect(thrown(() => hfPackedToTernary(packed, [1, 4], 1, NaN, "divide")).code).toBe("NON_FINITE");
    expect(thrown(() => hfPackedToTernary(packed, [1, 4], 1, 0, "divide")).code).toBe("INVALID_SCALE");
    expect(thrown(() => hfPackedToTernary(packed, [1, 4], 1, -2, "multiply")).code).toBe("INVALID_SCALE");
    const online = weightScaleConvention({ quantization_config: { quant_method: "bitnet", linear_class: "autobitlinear", quantization_mode: "online" } });
    expect(thrown(() => hfPackedToTernary(packed, [1, 4], 1, 2, online)).code).toBe("INVALID_CONFIG");
  });
});
