/** What the verifier reports for wrong expectations, bad payload bytes and caller mistakes. */
import { describe, expect, it } from "vitest";
import { getLayout } from "../../formats/layouts/index.js";
import { isTernpackError } from "../../src/core/errors.js";
import { f16BitsToF32, f32ToF16Bits } from "../../src/core/half.js";
import { assertVerified, verifyTensor, type VerifyResult } from "../../src/verify/index.js";
import { inputFor, quantizeAndPack, TERNARY_LAYOUTS, thrownCode, type Packed, type TernaryLayoutName } from "./helpers.js";

const SHAPES: Record<TernaryLayoutName, [number, number]> = {
  i2_s: [4, 256],
  tl1: [32, 64],
  tl2: [64, 320],
  tq1_0: [3, 512],
  tq2_0: [3, 512],
};
const TL = { tl1: { BM: 32, BK: 64, bm: 32 }, tl2: { BM: 32, BK: 96, bm: 32 } };

function packed(layout: TernaryLayoutName, seed = 5): Packed {
  const [M, K] = SHAPES[layout];
  return quantizeAndPack(layout, M, K, seed, layout === "tl1" || layout === "tl2" ? { tl: TL[layout] } : {});
}

/** Offset of the f32 scale: n/4 (I2_S §1.2), pad32(M·K/4) (TL1 §2.4), pad32(L) with L = 4949 (TL2 §3.6, §7). */
const SCALE_AT = { i2_s: 256, tl1: 512, tl2: 4960 };

const isTq = (layout: string) => layout.startsWith("tq");

describe("wrong expectations", () => {
  for (const layout of TERNARY_LAYOUTS) {
    it(`${layout}: one expected code changed → codes fail at its row and column`, () => {
      const p = packed(layout);
      const [, K] = p.shape;
      const row = p.shape[0] - 1;
      const col = K - 3;
      const codes = p.ternary.codes.slice();
      codes[row * K + col] = codes[row * K + col] === 1 ? -1 : 1;
      const r = verifyTensor(inputFor(p, { expected: { codes, scales: p.ternary.scales } }));
      expect(r.ok).toBe(false);
      expect(r.checks.codes.ok).toBe(false);
      expect(r.checks.scales.ok).toBe(true);
      expect(r.checks.reserved.ok).toBe(true);
      expect(r.failure).toMatchObject({ check: "codes", row, col });
      const block = layout === "i2_s" ? Math.floor((row * K + col) / 128) : isTq(layout) ? Math.floor((row * K + col) / 256) : undefined;
      expect(r.failure!.block).toBe(block);
      expect(r.failure!.message).toContain("1 code(s) differ");
      expect(r.checks.gemv.detail).toContain("accumulator(s) differ"); // the dense reference runs on the expected codes
    });

    it(`${layout}: a wrong expected scale → scales fail and y disagrees, accumulators agree`, () => {
      const p = packed(layout);
      const sigma = p.ternary.scales[0]!;
      // I2_S/TL store σ exactly (1 ulp is enough); TQ stores f16, so move σ to the next f16 value.
      const wrong = isTq(layout) ? f16BitsToF32(f32ToF16Bits(sigma) + 1) : sigma * (1 + 2 ** -23);
      const r = verifyTensor(inputFor(p, { expected: { codes: p.ternary.codes, scales: Float32Array.of(wrong) } }));
      expect(r.ok).toBe(false);
      expect(r.checks.codes.ok).toBe(true);
      expect(r.failure!.check).toBe("scales");
      expect(r.checks.gemv.ok).toBe(false);
      expect(r.checks.gemv.detail).toContain("accumulators agree");
      if (isTq(layout)) expect(r.failure).toMatchObject({ block: 0, row: 0, col: 0, byteOffset: getLayout(layout).blockBytes! - 2 });
      else expect(r.failure!.byteOffset).toBe(SCALE_AT[layout as keyof typeof SCALE_AT]);
    });
  }

  it("TQ: a 1-ulp change of σ that rounds to the same f16 is not a difference", () => {
    const p = packed("tq2_0");
    const sigma = p.ternary.scales[0]!;
    const next = sigma * (1 + 2 ** -23);
    expect(f32ToF16Bits(next)).toBe(f32ToF16Bits(sigma));
    expect(verifyTensor(inputFor(p, { expected: { codes: p.ternary.codes, scales: Float32Array.of(next) } })).ok).toBe(true);
  });

  it("TQ: an all-zero block must store d = 0 (a packer that writes σ there fails on that block)", () => {
    const p = quantizeAndPack("tq1_0", 2, 512, 9, { zeros: { from: 256, to: 512 } });
    const everywhere = new Float32Array(4).fill(p.ternary.scales[0]!);
    const bytes = getLayout("tq1_0").pack!({ ...p.ternary, scales: everywhere });
    const r = verifyTensor(inputFor(p, { bytes }));
    expect(r.failure).toMatchObject({ check: "scales", block: 1, row: 0, col: 256, byteOffset: 2 * 54 - 2 });
    expect(r.checks.codes.ok).toBe(true);
  });

  it("I2_S/TL accept only one expected scale; TQ only 1, M or M·K/256", () => {
    const p = packed("i2_s");
    thrownCode(() => verifyTensor(inputFor(p, { expected: { codes: p.ternary.codes, scales: new Float32Array(4) } })), "SHAPE_MISMATCH");
    const q = packed("tq2_0");
    thrownCode(() => verifyTensor(inputFor(q, { expected: { codes: q.ternary.codes, scales: new Float32Array(2) } })), "SHAPE_MISMATCH");
  });
});

describe("bad payload bytes are reported, not thrown", () => {
  it("an invalid code (INVALID_CODE from the kernel) fails the codes check at its byte; scales are skipped", () => {
    const p = packed("i2_s");
    const bytes = p.bytes.slice();
    bytes[37] = 0xff;
    const r = verifyTensor(inputFor(p, { bytes }));
    expect(r.failure).toMatchObject({ check: "codes", byteOffset: 37, block: 1, row: 0 });
    expect(r.failure!.message).toContain("INVALID_CODE");
    expect(r.checks.scales).toEqual({ ok: false, skipped: true, detail: expect.stringContaining("not checked") });
    expect(r.checks.gemv.ok).toBe(false);
    expect(r.checks.reserved.ok).toBe(true);
  });

  it("a non-zero TL2 padding byte fails the reserved check; everything the runtime reads still agrees", () => {
    const p = packed("tl2");
    const bytes = p.bytes.slice();
    bytes[4960 - 1] = 0x10; // last padding byte before the scale block at pad32(L) = 4960 (L = 4949, §7)
    const r = verifyTensor(inputFor(p, { bytes }));
    expect(r.failure).toMatchObject({ check: "reserved", byteOffset: 4959 });
    expect([r.checks.codes.ok, r.checks.scales.ok, r.checks.gemv.ok]).toEqual([true, true, true]);
  });

  it("a payload of the wrong length fails the codes check; nothing else runs", () => {
    const p = packed("tq2_0");
    const r = verifyTensor(inputFor(p, { bytes: p.bytes.subarray(0, p.bytes.length - 1) }));
    expect(r.ok).toBe(false);
    expect(r.failure).toEqual({ check: "codes", message: "payload is 395 bytes, tq2_0 [3, 512] needs 396" });
    for (const check of ["scales", "gemv", "reserved"] as const) expect(r.checks[check]).toMatchObject({ ok: false, skipped: true });
    expect(r.gemvVectors).toBe(0);
  });
});

describe("caller mistakes throw", () => {
  it("unknown or non-ternary layout, wrong code count, TL without tiling or preset, bad options", () => {
    const p = packed("tl1");
    expect(thrownCode(() => verifyTensor(inputFor(p, { layout: "q8_0" })), "LAYOUT_UNKNOWN")).toContain("q8_0");
    thrownCode(() => verifyTensor(inputFor(p, { expected: { codes: new Int8Array(5), scales: p.ternary.scales } })), "SHAPE_MISMATCH");
    const { params: _tiling, ...untiled } = inputFor(p);
    thrownCode(() => verifyTensor(untiled), "LAYOUT_UNSUPPORTED_SHAPE");
    thrownCode(() => verifyTensor(inputFor(p), { seeds: [] }), "USAGE");
    thrownCode(() => verifyTensor(inputFor(p), { tokens: -1 }), "USAGE");
  });

  it("a TQ row length that is not a multiple of 256 is a shape error", () => {
    const p = packed("tq2_0");
    thrownCode(() => verifyTensor(inputFor(p, { shape: [2, 384] })), "LAYOUT_UNSUPPORTED_SHAPE");
  });

  it("the layout name is case-insensitive", () => {
    const p = packed("tq1_0");
    const r = verifyTensor(inputFor(p, { layout: "TQ1_0" }));
    expect([r.ok, r.layout]).toEqual([true, "tq1_0"]);
  });
});

describe("assertVerified", () => {
  function failing(): VerifyResult {
    const p = packed("tq2_0");
    const codes = p.ternary.codes.slice();
    codes[512 + 300] = codes[512 + 300] === 0 ? 1 : 0; // row 1, column 300 → block 3
    return verifyTensor(inputFor(p, { expected: { codes, scales: p.ternary.scales } }));
  }

  it("throws VERIFY_FAILED with the tensor name, the check, row and block", () => {
    const r = failing();
    try {
      assertVerified(r);
      expect.unreachable("assertVerified returned for a failed result");
    } catch (e) {
      expect(isTernpackError(e, "VERIFY_FAILED")).toBe(true);
      const err = e as Error & { tensor?: string };
      expect(err.tensor).toBe("blk.0.tq2_0.weight");
      expect(err.message).toContain("tq2_0 codes check failed at row 1, column 300, block 3");
    }
  });

  it("returns for a passing result", () => {
    const r = verifyTensor(inputFor(packed("i2_s")));
    expect(r.ok).toBe(true);
    expect(assertVerified(r)).toBeUndefined();
  });
});
