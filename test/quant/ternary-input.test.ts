import { describe, it, expect } from "vitest";
import { detectTernary } from "../../src/quant/index.js";
import { bf16BitsFromF32Bits, bf16BitsToF32, f16BitsToF32, f32ToF16Bits, f32Bits, f32FromBits } from "../../src/core/half.js";
import { readF32, readI8 } from "../helpers/fixtures.js";
import { ABSMEAN, firstBitMismatch } from "./golden-absmean.js";

/** codes × σ in float32, then optionally rounded through a 16-bit dtype element by element. */
function scaled(codes: Int8Array, sigma: number, via?: "bf16" | "f16"): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const v = Math.fround(codes[i]! * sigma);
    out[i] = via === "bf16" ? bf16BitsToF32(bf16BitsFromF32Bits(f32Bits(v))) : via === "f16" ? f16BitsToF32(f32ToF16Bits(v)) : v;
  }
  return out;
}

const TERNARY = [
  ["hf-bitnet-pack", "random_64x128.ternary.i8"],
  ["hf-bitnet-pack", "all_codes_4x9.ternary.i8"],
  [ABSMEAN, "gaussian_64x256.per_tensor.codes.i8"],
  [ABSMEAN, "laplace_16x1024.per_tensor.codes.i8"],
] as const;

describe("detectTernary: golden ternary × scale", () => {
  const sigma = f32FromBits(0x3c83a84f); // gaussian_64x256's σ; not representable in bf16/f16
  for (const [folder, file] of TERNARY) {
    const codes = readI8(folder, file);
    for (const via of [undefined, "bf16", "f16"] as const) {
      it(`${file} × σ${via ? ` rounded through ${via}` : " (f32)"}`, () => {
        const d = detectTernary(scaled(codes, sigma, via));
        expect(d.ternary).toBe(true);
        if (!d.ternary) return;
        expect(firstBitMismatch(d.codes, codes)).toBe(-1);
        const expectedScale = via === "bf16" ? bf16BitsToF32(bf16BitsFromF32Bits(f32Bits(sigma))) : via === "f16" ? f16BitsToF32(f32ToF16Bits(sigma)) : sigma;
        expect(d.scale).toBe(expectedScale);
        if (via) expect(d.scale).not.toBe(sigma);
        expect(d.allZero).toBe(false);
      });
    }
  }

  it("BitNet's converter fake-quant output (t/s with −0 zeros) is recovered with its 1/s scale", () => {
    const fake = readF32(ABSMEAN, "gaussian_64x256.per_tensor.fakequant.f32");
    const d = detectTernary(fake);
    expect(d.ternary).toBe(true);
    if (!d.ternary) return;
    expect(firstBitMismatch(d.codes, readI8(ABSMEAN, "gaussian_64x256.per_tensor.codes.i8"))).toBe(-1);
    expect(f32Bits(d.scale)).toBe(0x3c83a84f); // the golden scale_1_over_s
  });
});

describe("detectTernary: not ternary", () => {
  const codes = readI8("hf-bitnet-pack", "random_64x128.ternary.i8");
  const base = () => scaled(codes, 0.0375);
  const firstNonZero = codes.findIndex((t) => t !== 0);
  const lastNonZero = codes.length - 1 - [...codes].reverse().findIndex((t) => t !== 0);

  it("one value off by one ulp is rejected, naming it", () => {
    const w = base();
    const bits = new Uint32Array(w.buffer);
    bits[lastNonZero]! += 1;
    const d = detectTernary(w);
    expect(d.ternary).toBe(false);
    if (d.ternary) return;
    expect(d.index).toBe(lastNonZero);
    expect(d.reason).toContain(`element ${lastNonZero}`);
  });

  it("two different magnitudes are rejected", () => {
    const w = base();
    w[lastNonZero] = w[lastNonZero]! * 2;
    expect(detectTernary(w).ternary).toBe(false);
    const v = Float32Array.of(0.5, -0.5, 0, 0.25);
    const d = detectTernary(v);
    expect(d.ternary === false && d.index).toBe(3);
  });

  it("NaN and Inf are rejected", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const w = base();
      w[firstNonZero] = bad;
      const d = detectTernary(w);
      expect(d.ternary === false && d.index).toBe(firstNonZero);
    }
    expect(detectTernary(Float32Array.of(0, Infinity, -Infinity)).ternary).toBe(false);
  });
});

describe("detectTernary: all zero", () => {
  it("+0 and −0 only: codes 0, scale 0, allZero", () => {
    const d = detectTernary(Float32Array.of(0, -0, 0, -0, 0));
    expect(d).toEqual({ ternary: true, codes: new Int8Array(5), scale: 0, allZero: true });
  });

  it("−0 among ±σ gives code 0", () => {
    const d = detectTernary(Float32Array.of(-0, 0.75, -0.75, 0));
    expect(d.ternary && [...d.codes]).toEqual([0, 1, -1, 0]);
    expect(d.ternary && d.scale).toBe(0.75);
  });
});
