/**
 * Type table and tensor sizes against reference numbers: gguf.md §4 (gguf-py GGML_QUANT_SIZES),
 * the golden gguf-py files, the bitnet.cpp reference sizes of ternary-layouts.md §1.2/§3.6/§7 and
 * the ggml_nbytes recorded by the golden BitNet packer cases (golden/layouts/{i2_s,tl1,tl2}).
 */
import { describe, expect, it } from "vitest";
import { isTernpackError } from "../../src/core/errors.js";
import { GGML_TYPE, ggmlTensorBytes, ggmlTypeInfo, ggmlTypeName } from "../../formats/gguf/index.js";
import { readJson } from "../helpers/fixtures.js";

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isTernpackError(e) ? e.code : `not a TernpackError: ${String(e)}`;
  }
  return undefined;
};

describe("ggml type table", () => {
  it("has the names and ids the rest of ternpack relies on", () => {
    expect(GGML_TYPE).toMatchObject({ F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, BF16: 30, TQ1_0: 34, TQ2_0: 35, I2_S: 36, TL1: 38, TL2: 39 });
  });

  it.each([
    // gguf.md §4.1 table and the llama-quantize list below it: id, name, block, bytes
    [0, "F32", 1, 4], [1, "F16", 1, 2], [2, "Q4_0", 32, 18], [8, "Q8_0", 32, 34], [16, "IQ2_XXS", 256, 66],
    [19, "IQ1_S", 256, 50], [29, "IQ1_M", 256, 56], [30, "BF16", 1, 2], [34, "TQ1_0", 256, 54], [35, "TQ2_0", 256, 66],
    [10, "Q2_K", 256, 84], [12, "Q4_K", 256, 144], [13, "Q5_K", 256, 176], [14, "Q6_K", 256, 210],
  ])("id %i is %s with %i elements in %i bytes (both flavors)", (id, name, blockSize, typeSize) => {
    for (const flavor of ["upstream", "bitnet.cpp"] as const) {
      expect(ggmlTypeInfo(id, flavor)).toMatchObject({ id, name, blockSize, typeSize, sizing: "block" });
    }
  });

  it("indexes every entry by its own id", () => {
    for (const flavor of ["upstream", "bitnet.cpp"] as const) {
      for (let id = 0; id < 64; id++) {
        const info = ggmlTypeInfo(id, flavor);
        if (info !== undefined) expect(info.id).toBe(id);
      }
    }
  });

  it("names the context-dependent ids per flavor (gguf.md §4.3)", () => {
    expect([36, 37, 38, 39].map((id) => ggmlTypeName(id, "bitnet.cpp"))).toStrictEqual(["I2_S", "I8_S", "TL1", "TL2"]);
    expect([36, 37, 38, 39, 40, 41, 42].map((id) => ggmlTypeName(id, "upstream"))).toStrictEqual([
      "IQ4_NL_4_4", "IQ4_NL_4_8", "IQ4_NL_8_8", "MXFP4", "NVFP4", "Q1_0", "Q2_0",
    ]);
    for (const id of [4, 5, 31, 32, 33]) expect(ggmlTypeInfo(id, "upstream")?.sizing).toBe("none");
    expect(ggmlTypeName(99)).toBe("type 99");
  });
});

describe("regular sizes", () => {
  it("match every tensor of the gguf-py golden files", () => {
    const cases = readJson<{ cases: { tensors: { ggml_type_id: number; dims_ne_order: number[]; nbytes: number }[] }[] }>("gguf", "manifest.json").cases;
    const tensors = cases.flatMap((c) => c.tensors);
    expect(tensors.length).toBe(24);
    for (const t of tensors) expect(ggmlTensorBytes(t.ggml_type_id, t.dims_ne_order, "upstream")).toBe(t.nbytes);
  });

  it("match the worked example of gguf.md §5 (48 / 108 / 132 bytes)", () => {
    expect([ggmlTensorBytes(0, [4, 3]), ggmlTensorBytes(34, [256, 2]), ggmlTensorBytes(35, [256, 2])]).toStrictEqual([48, 108, 132]);
  });

  it("refuse ne0 that is not a multiple of the block, bad dims and unusable types", () => {
    expect(codeOf(() => ggmlTensorBytes(GGML_TYPE.Q8_0, [48]))).toBe("BLOCK_MISMATCH");
    expect(codeOf(() => ggmlTensorBytes(GGML_TYPE.TQ2_0, [300, 2]))).toBe("BLOCK_MISMATCH");
    expect(codeOf(() => ggmlTensorBytes(0, []))).toBe("INVALID_DIMS");
    expect(codeOf(() => ggmlTensorBytes(0, [1, 1, 1, 1, 1]))).toBe("INVALID_DIMS");
    expect(codeOf(() => ggmlTensorBytes(0, [-1]))).toBe("INVALID_DIMS");
    expect(codeOf(() => ggmlTensorBytes(0, [2 ** 30, 2 ** 30, 2 ** 10]))).toBe("VALIDATION_OVERFLOW");
    expect(codeOf(() => ggmlTensorBytes(36, [128], "upstream"))).toBe("INVALID_TYPE_ID");
    expect(codeOf(() => ggmlTensorBytes(37, [128]))).toBe("INVALID_TYPE_ID");
    expect(codeOf(() => ggmlTensorBytes(99, [128]))).toBe("INVALID_TYPE_ID");
  });
});

describe("bitnet.cpp sizes (ne = [K, M])", () => {
  it("I2_S: the official 2B-4T tensors (ternary-layouts.md §7)", () => {
    const q = ggmlTensorBytes(GGML_TYPE.I2_S, [2560, 2560]);
    const kv = ggmlTensorBytes(GGML_TYPE.I2_S, [2560, 640]);
    const up = ggmlTensorBytes(GGML_TYPE.I2_S, [2560, 6912]);
    const down = ggmlTensorBytes(GGML_TYPE.I2_S, [6912, 2560]);
    expect([q, kv, up, down]).toStrictEqual([1_638_432, 409_632, 4_423_712, 4_423_712]);
    expect(2 * q + 2 * kv + 3 * up).toBe(17_367_264);
  });

  it("I2_S/F32/F16: the official 2B-4T file holds 1,179,449,920 tensor bytes in 332 tensors", () => {
    const perLayerF32 = [2560, 2560, 2560, 6912].map((n) => ggmlTensorBytes(GGML_TYPE.F32, [n]));
    const total =
      30 * (17_367_264 + perLayerF32.reduce((a, b) => a + b)) +
      ggmlTensorBytes(GGML_TYPE.F32, [2560]) +
      ggmlTensorBytes(GGML_TYPE.F16, [2560, 128256]);
    expect(total).toBe(1_179_449_920);
  });

  it.each([
    // golden/layouts/i2_s: [M, K] and the packer's output length
    [1, 128, 64], [4, 256, 288], [8, 512, 1056], [16, 384, 1568], [64, 1024, 16416], [2, 128, 96], [2, 256, 160],
  ])("I2_S %ix%i is %i bytes", (m, k, bytes) => {
    expect(ggmlTensorBytes(36, [k, m])).toBe(bytes);
  });

  it.each([
    // golden/layouts/tl1: [M, K] and params.ggml_nbytes
    [32, 64, 544], [64, 128, 2080], [256, 256, 16416], [128, 128, 4128], [160, 256, 10272], [96, 192, 4640],
  ])("TL1 %ix%i is %i bytes", (m, k, bytes) => {
    expect(ggmlTensorBytes(38, [k, m])).toBe(bytes);
  });

  it.each([
    // ternary-layouts.md §3.6: 2B-4T shapes
    [2560, 2560, 1_392_672], [640, 2560, 348_192], [6912, 2560, 3_760_160], [2560, 6912, 3_713_760],
    // golden/layouts/tl2: [M, K] and params.ggml_nbytes
    [32, 288, 2304], [64, 320, 4992], [160, 288, 11360], [320, 320, 24800], [128, 416, 12512], [64, 256, 4128],
  ])("TL2 %ix%i is %i bytes", (m, k, bytes) => {
    expect(ggmlTensorBytes(39, [k, m])).toBe(bytes);
  });

  it("TL2 refuses K < 256 (Python and C disagree there)", () => {
    expect(codeOf(() => ggmlTensorBytes(39, [192, 32]))).toBe("INVALID_DIMS");
  });

  it("folds ne2 and ne3 into M", () => {
    expect(ggmlTensorBytes(36, [256, 2, 3, 2])).toBe(ggmlTensorBytes(36, [256, 12]));
    expect(ggmlTensorBytes(39, [288, 8, 4])).toBe(ggmlTensorBytes(39, [288, 32]));
  });
});
