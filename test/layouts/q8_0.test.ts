import { describe, expect, it } from "vitest";
import { q8_0Layout } from "../../formats/layouts/q8_0.js";
import { getLayout } from "../../formats/layouts/registry.js";
import { countNonFinite, expectSameBits, expectSameBytes, loadCases, manifest } from "./golden.js";
import { expectError } from "./tq-suite.js";

const cases = loadCases("q8_0");

describe("q8_0: contract", () => {
  it("matches the manifest's ggml id and block geometry and is registered", () => {
    const m = manifest("q8_0");
    expect(q8_0Layout.ggmlType).toBe(m.ggml_type_id);
    expect(q8_0Layout.blockBytes).toBe(m.block_bytes);
    expect(q8_0Layout.blockSize).toBe(m.block_elements);
    expect(getLayout("Q8_0")).toBe(q8_0Layout);
  });

  it("sizes every golden case exactly", () => {
    for (const c of cases) expect(q8_0Layout.bytesFor(c.shape), c.name).toBe(c.raw.files.expected!.bytes);
  });

  it("needs rows that are a multiple of 32, and says so", () => {
    expectError(() => q8_0Layout.check([4, 100]), "LAYOUT_UNSUPPORTED_SHAPE", /multiple of 32.*100.*f16/);
    expectError(() => q8_0Layout.check([4, -32]), "INVALID_SHAPE");
    expect(() => q8_0Layout.check([5, 96])).not.toThrow();
    expectError(() => q8_0Layout.decode(new Uint8Array(33), [32]), "SHAPE_MISMATCH");
  });
});

describe("q8_0: golden (libggml c392e509)", () => {
  for (const c of cases) {
    describe(c.name, () => {
      it("encode(input) equals libggml's bytes", () => {
        expectSameBytes(q8_0Layout.encode(c.input, c.shape), c.expected, 34, `${c.name} encode`);
      });

      it("decode(expected) equals libggml's to_float bit for bit", () => {
        const decoded = q8_0Layout.decode(c.expected, c.shape);
        expectSameBits(decoded, c.dequant, 32, `${c.name} decode`);
        expect(countNonFinite(decoded)).toEqual({ nan: c.info?.dequant_nan_count, inf: c.info?.dequant_inf_count });
      });
    });
  }

  it("stores the per-tensor scale of ternary input as 127 · f16(s/127) per block", () => {
    const c = cases.find((k) => k.name === "ternary_times_scale")!;
    const decoded = q8_0Layout.decode(c.expected, c.shape);
    const s = c.params.per_tensor_scale.value as number;
    for (let i = 0; i < decoded.length; i++) {
      const err = Math.abs(decoded[i]! - c.input[i]!);
      expect(err, `element ${i}`).toBeLessThanOrEqual(s * 2 ** -11);
    }
  });
});
