/** kernels/reserved.ts against the sizes stated in ternary-layouts.md, and the probe activations. */
import { describe, expect, it } from "vitest";
import { firstNonZeroReserved, reservedBytes } from "../../kernels/reserved.js";
import { probeActivations } from "../../src/verify/index.js";
import { thrownCode } from "./helpers.js";

describe("reserved payload bytes (ternary-layouts.md)", () => {
  it("I2_S: the 28 bytes after the f32 scale at n/4 (§1.2)", () => {
    expect(reservedBytes("i2_s", [4, 256])).toEqual({
      length: 288,
      scaleOffset: 256,
      ranges: [{ start: 260, end: 288, what: "i2_s scale block after the f32 scale" }],
    });
  });

  it("TL1: no padding for preset-like shapes, then the scale block (§2.4)", () => {
    const r = reservedBytes("tl1", [32, 64], { BM: 32, BK: 64, bm: 32 });
    expect(r.length).toBe(512 + 32);
    expect(r.scaleOffset).toBe(512);
    expect(r.ranges.map(({ start, end }) => [start, end])).toEqual([[516, 544]]);
  });

  it("TL2: data 1920 bytes, padded to L = 2261 and to 2272, then the scale block (§3.5: M = 32, K = 288)", () => {
    const r = reservedBytes("tl2", [32, 288], { BM: 32, BK: 96, bm: 32 });
    expect(r.length).toBe(2272 + 32);
    expect(r.scaleOffset).toBe(2272);
    expect(r.ranges.map(({ start, end }) => [start, end])).toEqual([[1920, 2272], [2276, 2304]]);
  });

  it("TL2 with a pair tail: L = 4949 for M = 64, K = 320 (§7)", () => {
    const r = reservedBytes("tl2", [64, 320], { BM: 32, BK: 96, bm: 32 });
    // index 64·288/6 = 3072, sign 768, pairs 64·32/4 = 512 → data ends at 4352
    expect(r.ranges.map(({ start, end }) => [start, end])).toEqual([[4352, 4960], [4964, 4992]]);
  });

  it("TQ1_0 / TQ2_0 have none", () => {
    expect(reservedBytes("tq1_0", [2, 512])).toEqual({ length: 4 * 54, ranges: [] });
    expect(reservedBytes("tq2_0", [2, 512])).toEqual({ length: 4 * 66, ranges: [] });
  });

  it("finds the first non-zero reserved byte and checks the payload length", () => {
    const bytes = new Uint8Array(288);
    bytes[256] = 0x3f; // the scale itself is not reserved
    expect(firstNonZeroReserved(bytes, "i2_s", [4, 256])).toBeNull();
    bytes[270] = 2;
    bytes[280] = 1;
    expect(firstNonZeroReserved(bytes, "i2_s", [4, 256])).toEqual({ offset: 270, value: 2, what: "i2_s scale block after the f32 scale" });
    thrownCode(() => firstNonZeroReserved(bytes.subarray(1), "i2_s", [4, 256]), "SHAPE_MISMATCH");
    thrownCode(() => reservedBytes("tl1", [32, 64]), "USAGE");
  });
});

describe("probe activations", () => {
  it("are deterministic per seed and differ between seeds", () => {
    const a = probeActivations(1, 3, 512);
    expect(a.length).toBe(4 * 512);
    expect(probeActivations(1, 3, 512)).toEqual(a);
    expect(probeActivations(2, 3, 512)).not.toEqual(a);
  });

  it("the last row carries outliers far above the gaussian-like rows", () => {
    const x = probeActivations(9, 3, 1024);
    const amax = (row: number) => x.subarray(row * 1024, (row + 1) * 1024).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (let row = 0; row < 3; row++) expect(amax(row)).toBeLessThanOrEqual(2);
    expect(amax(3)).toBeGreaterThan(8);
  });
});
