/** Activation quantization and the dense GEMV against fixtures/activations (numpy/transformers). */
import { describe, expect, it } from "vitest";
import { compareCodes, compareF32, compareI32, denseGemv, getKernel, quantizeActivations } from "../../kernels/index.js";
import { goldenCases, readF32, readI32, readI8 } from "../helpers/fixtures.js";

const EXACT = { equal: true, mismatches: 0 };

function load(name: string) {
  const r = (suffix: string) => [`activations`, `${name}.${suffix}`] as const;
  return {
    x: readF32(...r("x.f32")),
    weight: readI8(...r("weight.i8")),
    scale: readF32(...r("weight_scale.f32")),
    q: readI8(...r("q.i8")),
    sx: readF32(...r("s_x.f32")),
    dot: readI32(...r("dot.i32")),
    y: readF32(...r("y.f32")),
    yChain: readF32(...r("y_f32chain.f32")),
  };
}

const cases = goldenCases("activations");

describe("activation golden cases", () => {
  it("has the four cases", () => {
    expect(cases.map((c) => c.name).sort()).toEqual([
      "gaussian_t4_m32_k256",
      "int16_overflow_t1_m2_k4096",
      "outliers_t3_m64_k2560",
      "ties_zero_tiny_t4_m16_k128",
    ]);
  });

  for (const c of cases) {
    const [M, K] = c.shape as [number, number];
    const tokens = (c as unknown as { tokens: number }).tokens;

    it(`${c.name}: q and s_x bit for bit`, () => {
      const g = load(c.name);
      const { q, sx } = quantizeActivations(g.x, tokens, K);
      expect(compareCodes(q, g.q, { cols: K })).toEqual(EXACT);
      expect(compareF32(sx, g.sx, { nan: "bits" })).toEqual(EXACT);
    });

    it(`${c.name}: denseGemv dot exact, y = y_f32chain bit for bit, y within 1 ulp of the f64 y`, () => {
      const g = load(c.name);
      const acc = new Int32Array(tokens * M);
      const y = new Float32Array(tokens * M);
      for (let t = 0; t < tokens; t++) {
        const r = denseGemv(g.weight, [M, K], g.q.subarray(t * K, (t + 1) * K), g.sx[t]!, g.scale, K);
        acc.set(r.acc, t * M);
        y.set(r.y, t * M);
      }
      expect(compareI32(acc, g.dot, { cols: M })).toEqual(EXACT);
      expect(compareF32(y, g.yChain, { cols: M, nan: "bits" })).toEqual(EXACT);
      expect(compareF32(y, g.y, { cols: M, maxUlps: 1 })).toEqual(EXACT);
    });
  }
});

describe("int16 overflow (|dot| > 32767)", () => {
  const g = load("int16_overflow_t1_m2_k4096");
  const K = 4096;

  it("the golden dot really leaves the int16 range", () => {
    expect(Math.max(...Array.from(g.dot, Math.abs))).toBeGreaterThan(32767);
  });

  // Row 0 is all +1 (code 2), row 1 all −1 (code 0): every 2-bit slot of a row's bytes holds the
  // same code, so the packed bytes are the same constant whatever the slot order.
  it("I2_S gemv on the all-+1 / all-−1 rows gives the exact int32 sums", () => {
    const payload = new Uint8Array(2 * (K / 4) + 32);
    payload.fill(0xaa, 0, K / 4); // row 0: 0b10101010
    payload.set(new Uint8Array(g.scale.buffer), 2 * (K / 4));
    const r = getKernel("i2_s").gemv(payload, [2, K], undefined, g.q, g.sx[0]!);
    expect(compareI32(r.acc, g.dot)).toEqual(EXACT);
    expect(compareF32(r.y, g.yChain, { nan: "bits" })).toEqual(EXACT);
  });

  it("TQ2_0 gemv on the same rows (d = f16 0.5 = 0x3800) gives the exact int32 sums per block", () => {
    const blocks = K / 256;
    const payload = new Uint8Array(2 * blocks * 66);
    for (let b = 0; b < 2 * blocks; b++) {
      payload.fill(b < blocks ? 0xaa : 0x00, b * 66, b * 66 + 64);
      payload[b * 66 + 65] = 0x38; // d = 0x3800 little-endian
    }
    const r = getKernel("tq2_0").gemv(payload, [2, K], undefined, g.q, g.sx[0]!);
    expect(Array.from(r.acc)).toEqual([...new Array(blocks).fill(256 * 127), ...new Array(blocks).fill(-256 * 127)]);
    expect(compareF32(r.y, g.yChain, { nan: "bits" })).toEqual(EXACT);
  });
});

describe("TL activation scale (no 1e-5 floor)", () => {
  const c = cases.find((x) => x.name === "ties_zero_tiny_t4_m16_k128")!;
  const g = load(c.name);
  const K = 128;

  it("equals the BitNet scale for tokens with max|x| ≥ 1e-5 and keeps their q", () => {
    const tl = quantizeActivations(g.x, 4, K, "tl");
    for (const t of [0, 1]) {
      expect(tl.sx[t]).toBe(g.sx[t]);
      expect(compareCodes(tl.q.subarray(t * K, (t + 1) * K), g.q.subarray(t * K, (t + 1) * K))).toEqual(EXACT);
    }
  });

  it("all-zero token: +Infinity and q = 0; tiny token: larger scale, its max element reaches ±127", () => {
    const tl = quantizeActivations(g.x, 4, K, "tl");
    expect(tl.sx[2]).toBe(Infinity);
    expect(tl.q.subarray(2 * K, 3 * K).every((v) => v === 0)).toBe(true);
    expect(tl.sx[3]!).toBeGreaterThan(g.sx[3]!);
    expect(Math.max(...Array.from(tl.q.subarray(3 * K), Math.abs))).toBe(127);
  });
});

describe("quantizeActivations argument checks", () => {
  it("rejects a length that is not tokens × K", () => {
    expect(() => quantizeActivations(new Float32Array(10), 2, 4)).toThrow(/SHAPE_MISMATCH/);
  });
  it("rejects non-finite activations", () => {
    expect(() => quantizeActivations(Float32Array.of(1, NaN), 1, 2)).toThrow(/NON_FINITE/);
    expect(() => quantizeActivations(Float32Array.of(Infinity, 0), 1, 2)).toThrow(/NON_FINITE/);
  });
});
