import { describe, expect, it } from "vitest";
import { bf16Layout, f16Layout, f32Layout } from "../../formats/layouts/float.js";
import { getLayout } from "../../formats/layouts/registry.js";
import { bytesOf, expectSameBits, expectSameBytes, loadCases, manifest } from "./golden.js";
import { expectError } from "./tq-suite.js";

for (const layout of [f16Layout, bf16Layout]) {
  describe(`${layout.name}: golden (gguf-py 0.19.0 / numpy)`, () => {
    const cases = loadCases(layout.name);

    it("matches the manifest's ggml id and element size and is registered", () => {
      const m = manifest(layout.name);
      expect(layout.ggmlType).toBe(m.ggml_type_id);
      expect(layout.blockBytes).toBe(m.element_bytes);
      expect(layout.blockSize).toBe(1);
      expect(getLayout(layout.name)).toBe(layout);
      for (const c of cases) expect(layout.bytesFor(c.shape)).toBe(c.raw.files.expected!.bytes);
    });

    for (const c of cases) {
      it(`${c.name}: encode equals expected.bin and decode equals dequant.f32 bit for bit`, () => {
        expectSameBytes(layout.encode(c.input, c.shape), c.expected, 2, `${c.name} encode`);
        expectSameBits(layout.decode(c.expected, c.shape), c.dequant, 1, `${c.name} decode`);
      });
    }

    it("rejects buffers that do not fit the shape", () => {
      expectError(() => layout.encode(new Float32Array(3), [2, 2]), "SHAPE_MISMATCH");
      expectError(() => layout.decode(new Uint8Array(7), [2, 2]), "SHAPE_MISMATCH");
      expectError(() => layout.check([2, 1.5]), "INVALID_SHAPE");
    });
  });
}

describe("f32", () => {
  // Random 32-bit patterns (NaN payloads, infinities, subnormals) from the f16 fixture.
  const input = loadCases("f16").find((c) => c.name === "random_bit_patterns")!;

  it("has ggml id 0 (gguf.md §4.1) and 4 bytes per element", () => {
    expect(f32Layout.ggmlType).toBe(0);
    expect(f32Layout.bytesFor([4, 256])).toBe(4096);
    expect(getLayout("F32")).toBe(f32Layout);
  });

  it("encodes to the little-endian bytes of the values and decodes them back bit for bit", () => {
    const bytes = f32Layout.encode(input.input, input.shape);
    expectSameBytes(bytes, bytesOf(input.input), 4, "encode");
    expectSameBits(f32Layout.decode(bytes, input.shape), input.input, 1, "decode");
  });

  it("decodes from an unaligned byte offset", () => {
    const padded = new Uint8Array(4097);
    padded.set(bytesOf(input.input), 1);
    expectSameBits(f32Layout.decode(padded.subarray(1), input.shape), input.input, 1, "unaligned decode");
  });
});
