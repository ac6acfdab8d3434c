/** The golden and contract tests TQ1_0 and TQ2_0 share; each *.test.ts adds its own byte rules. */
import { describe, expect, it } from "vitest";
import { isTernpackError } from "../../src/core/errors.js";
import { getLayout } from "../../formats/layouts/registry.js";
import { blockScalesFromTensorScale, type TernaryLayout } from "../../formats/layouts/tq-layout.js";
import { countNonFinite, expectSameBits, expectSameBytes, loadCases, manifest } from "./golden.js";

const BLOCK = 256;

/** A thrown TernpackError with that code (and detail matching `detail`, when given). */
export function expectError(fn: () => unknown, code: string, detail?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isTernpackError(caught), `expected a TernpackError ${code}, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
  if (detail) expect((caught as Error).message).toMatch(detail);
}

/** Ternary codes of exact t·scale input (the ternary_times_scale construction). */
function signs(values: Float32Array): Int8Array {
  return Int8Array.from(values, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0));
}

export function describeTqLayout(layout: TernaryLayout, allZeroBlock: Uint8Array): void {
  const name = layout.name;
  const cases = loadCases(name);
  const bb = layout.blockBytes;

  describe(`${name}: contract`, () => {
    it("matches the manifest's ggml id and block geometry and is registered", () => {
      const m = manifest(name);
      expect(layout.ggmlType).toBe(m.ggml_type_id);
      expect(layout.blockBytes).toBe(m.block_bytes);
      expect(layout.blockSize).toBe(m.block_elements);
      expect(getLayout(name.toUpperCase())).toBe(layout);
    });

    it("sizes every golden case exactly", () => {
      for (const c of cases) expect(layout.bytesFor(c.shape), c.name).toBe(c.raw.files.expected!.bytes);
    });

    it("refuses rows that are not whole 256-element blocks, naming the reason and a fallback", () => {
      expectError(() => layout.check([3200, 8640]), "LAYOUT_UNSUPPORTED_SHAPE", /multiple of 256.*8640.*f16/);
      expectError(() => layout.bytesFor([2560, 100]), "LAYOUT_UNSUPPORTED_SHAPE", /100/);
      expectError(() => layout.encode(new Float32Array(128), [128]), "LAYOUT_UNSUPPORTED_SHAPE");
      expect(() => layout.check([2560, 6912])).not.toThrow();
      expect(layout.bytesFor([512])).toBe(2 * bb); // a 1-D tensor is one row
    });

    it("rejects buffers whose length does not match the shape", () => {
      expectError(() => layout.encode(new Float32Array(256), [2, 256]), "SHAPE_MISMATCH");
      expectError(() => layout.decode(new Uint8Array(bb - 1), [1, 256]), "SHAPE_MISMATCH");
      expectError(() => layout.unpack(new Uint8Array(bb + 1), [1, 256]), "SHAPE_MISMATCH");
      const codes = new Int8Array(512);
      expectError(() => layout.pack({ shape: [1, 512], codes, scales: new Float32Array(1) }), "SHAPE_MISMATCH", /scales/);
    });

    it("refuses to pack a code outside {-1, 0, +1}", () => {
      const codes = new Int8Array(256);
      codes[77] = 2;
      expectError(() => layout.pack({ shape: [256], codes, scales: new Float32Array([1]) }), "INVALID_TERNARY", /element 77/);
    });
  });

  describe(`${name}: golden (libggml c392e509)`, () => {
    for (const c of cases) {
      describe(c.name, () => {
        it("encode(input) equals libggml's bytes", () => {
          expectSameBytes(layout.encode(c.input, c.shape), c.expected, bb, `${c.name} encode`);
        });

        it("decode(expected) equals libggml's to_float bit for bit", () => {
          const decoded = layout.decode(c.expected, c.shape);
          expectSameBits(decoded, c.dequant, BLOCK, `${c.name} decode`);
          const counts = countNonFinite(decoded);
          expect(counts).toEqual({ nan: c.info?.dequant_nan_count, inf: c.info?.dequant_inf_count });
        });

        it("unpack then pack reproduces the bytes; codes × block scale give the dequantized values", () => {
          const t = layout.unpack(c.expected, c.shape);
          expect(t.codes.length).toBe(c.input.length);
          expect(t.scales.length).toBe(c.input.length / BLOCK);
          expectSameBytes(layout.pack(t), c.expected, bb, `${c.name} repack`);
          for (let i = 0; i < t.codes.length; i++) {
            const scale = t.scales[Math.floor(i / BLOCK)]!;
            if (Number.isFinite(scale)) expect(Object.is(t.codes[i]! * scale, c.dequant[i]), `element ${i}`).toBe(true);
          }
        });
      });
    }
  });

  describe(`${name}: all-zero blocks and per-tensor scales`, () => {
    it("writes an all-zero block as the spec's bytes, not zero bytes", () => {
      const zero = cases.find((c) => c.name === "zero_rows")!;
      const cols = zero.shape[1]!;
      const rowBytes = (cols / BLOCK) * bb;
      const encoded = layout.encode(zero.input, zero.shape);
      for (const row of zero.params.zero_rows as number[]) {
        for (let b = 0; b < cols / BLOCK; b++) {
          const at = row * rowBytes + b * bb;
          expectSameBytes(encoded.subarray(at, at + bb), allZeroBlock, bb, `row ${row} encoded`);
          expectSameBytes(zero.expected.subarray(at, at + bb), allZeroBlock, bb, `row ${row} golden`);
        }
      }
    });

    it("packs ternary codes with the expanded per-tensor scale into the reference quantizer's bytes", () => {
      const c = cases.find((k) => k.name === "ternary_times_scale")!;
      const sigma = c.params.per_tensor_scale.value as number;
      const codes = signs(c.input);
      const scales = blockScalesFromTensorScale(codes, c.shape, sigma);
      expect(scales.every((s) => s === Math.fround(sigma))).toBe(true); // random codes: no all-zero block
      expectSameBytes(layout.pack({ shape: c.shape, codes, scales }), c.expected, bb, "pack(codes, σ)");
    });

    it("gives all-zero blocks scale 0, which is what the quantizer does with t·σ", () => {
      const sigma = Math.fround(0.0123);
      const codes = new Int8Array(4 * BLOCK);
      for (let i = 0; i < codes.length; i++) codes[i] = i < BLOCK || i >= 3 * BLOCK ? 0 : (i % 3) - 1;
      codes[3 * BLOCK + 200] = -1; // a block with a single non-zero code still gets σ
      const scales = blockScalesFromTensorScale(codes, [2, 2 * BLOCK], sigma);
      expect(Array.from(scales)).toEqual([0, sigma, sigma, sigma]);
      const fakeQuant = Float32Array.from(codes, (t) => t * sigma);
      const packed = layout.pack({ shape: [2, 2 * BLOCK], codes, scales });
      expectSameBytes(packed, layout.encode(fakeQuant, [2, 2 * BLOCK]), bb, "pack vs encode(t·σ)");
      expectSameBytes(packed.subarray(0, bb), allZeroBlock, bb, "zero block");
    });

    it("refuses a per-tensor scale that is not finite and positive", () => {
      for (const bad of [0, -0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expectError(() => blockScalesFromTensorScale(new Int8Array(BLOCK), [BLOCK], bad), "USAGE");
      }
    });
  });
}
