import { describe, expect, it } from "vitest";
import { f32FromBits, f32ToF16Bits } from "../../src/core/half.js";
import { cb158Layout, packCb158, usedBytes, type Cb158Tensor } from "../../formats/layouts/cb158.js";
import { getLayout } from "../../formats/layouts/index.js";
import { quantizeCb158 } from "../../src/quant/cb158/index.js";
import { randomMatrix } from "../quant/cb158/helpers.js";

/** A hand-built [2, 32] tensor: one super-block of 2 blocks, tier 0, cap0 1 (5-bit indices). */
function handBuilt(): Cb158Tensor {
  return {
    shape: [2, 32],
    totalBytes: 40,
    cap0: 1,
    tiers: Uint8Array.of(0),
    superScales: Uint16Array.of(0x4000), // d = 2
    blockCodes: Uint8Array.of(1, 2), // block 0: 2·2^(−1/2); block 1: 2·2^(−1) = 1
    // Grid order (nnz, v): index 0 = all zeros; 1…16 = one non-zero with v = 3280 ± 3^j ascending,
    // i.e. 1 → c7 = −1, 2 → c6 = −1, …, 8 → c0 = −1, 9 → c0 = +1, …, 16 → c7 = +1.
    indices: Uint16Array.of(1, 9, 0, 16, 8, 0, 0, 0),
    salientColumns: Uint32Array.of(31),
    salientScales: Uint16Array.of(f32ToF16Bits(0.5)),
    salientCodes: Int8Array.of(-7, 3),
    outlierIndex: Uint32Array.of(33),
    outlierValues: Uint16Array.of(f32ToF16Bits(0.25)),
  };
}

describe("cb158 layout", () => {
  it("is registered as a ternpack-only quantized layout", () => {
    expect(getLayout("cb158")).toBe(cb158Layout);
    expect(cb158Layout.kind).toBe("quantized");
    expect(cb158Layout.runtime).toBe("ternpack");
    expect(getLayout("cb158").ggmlType).toBeUndefined();
  });

  it("sizes a tensor as floor(round(1000·bpw)·n / 8000) bytes", () => {
    expect(cb158Layout.bytesFor([4096, 4096])).toBe(Math.floor((1580 * 4096 * 4096) / 8000));
    expect(cb158Layout.bytesFor([64, 128], { bpw: 2 })).toBe(2048);
    expect(cb158Layout.bytesFor([3, 96], { bpw: 1.3 })).toBe(46); // 1300·288/8000 = 46.8
  });

  it("rejects shapes it cannot hold", () => {
    expect(() => cb158Layout.check([64, 100])).toThrow(/LAYOUT_UNSUPPORTED_SHAPE/);
    expect(() => cb158Layout.check([4096])).toThrow(/LAYOUT_UNSUPPORTED_SHAPE/);
    expect(() => cb158Layout.check([0, 64])).toThrow(/LAYOUT_UNSUPPORTED_SHAPE/);
  });

  it("decodes a hand-built tensor to the values the spec defines", () => {
    const bytes = packCb158(handBuilt());
    expect(bytes.length).toBe(40);
    // header: version 1, cap0 1, 1 salient column, 1 outlier
    expect([...bytes.subarray(0, 10)]).toEqual([1, 1, 1, 0, 0, 0, 1, 0, 0, 0]);
    const out = cb158Layout.decode(bytes, [2, 32]);
    const s0 = Math.fround(2 * f32FromBits(0x3f3504f3));
    const expected = new Float32Array(64);
    expected[7] = -s0; // group 0, index 1
    expected[8] = s0; // group 1, index 9
    expected[31] = -3.5; // salient column 31, row 0: −7 · 0.5 (replaces group 3's c7 = +1)
    expected[32] = -1; // group 4 (block 1), index 8: c0 = −1, s = 1
    expected[33] = 0.25; // outlier residual on a zero base value
    expected[63] = 1.5; // salient column 31, row 1: 3 · 0.5
    expect(out).toEqual(expected);
  });

  it("rejects malformed bytes", () => {
    const good = packCb158(handBuilt());
    const broken = (edit: (b: Uint8Array) => void) => {
      const b = good.slice();
      edit(b);
      return () => cb158Layout.decode(b, [2, 32]);
    };
    expect(broken((b) => (b[0] = 3))).toThrow(/UNSUPPORTED_VERSION/);
    expect(broken((b) => (b[1] = 6))).toThrow(/INVALID_CODE/);
    expect(broken((b) => (b[39] = 1))).toThrow(/INVALID_CODE.*padding/);
    expect(() => cb158Layout.decode(good.subarray(0, 25), [2, 32])).toThrow(/TRUNCATED/);
    expect(broken((b) => (b[11] = 0x00, b[12] = 0x7c))).toThrow(/INVALID_SCALE/); // d = +Inf
    expect(broken((b) => (b[12] = b[12]! | 0x80))).toThrow(/INVALID_SCALE/); // negative d
    // Layout: header 0–9, tier ids 10, d 11–12, block codes 13, indices 14–18, salient 19–23,
    // outliers 24–29, padding 30–39. First index (low 5 bits of byte 14) raised to 31 ≥ 17 codewords.
    expect(broken((b) => (b[14] = b[14]! | 0x1f))).toThrow(/INVALID_CODE.*index/);
    expect(broken((b) => (b[10] = b[10]! | 0x10))).toThrow(/INVALID_CODE.*fill bits after the tier ids/);
    expect(broken((b) => (b[23] = 0x38))).toThrow(/INVALID_CODE.*−8/); // row-0 code −8
    expect(broken((b) => (b[19] = 40))).toThrow(/INVALID_CODE.*salient column 40/);
    expect(broken((b) => (b[24] = 31))).toThrow(/INVALID_CODE.*outlier/); // outlier on the salient column
    expect(broken((b) => (b[29] = 0x7e))).toThrow(/INVALID_SCALE.*outlier/); // NaN residual
  });

  it("encodes through the registry once src/quant/cb158 is loaded", () => {
    const w = randomMatrix(32, 256, 5);
    const bytes = cb158Layout.encode(w, [32, 256], { bpw: 1.8 });
    expect(bytes).toEqual(packCb158(quantizeCb158(w, [32, 256], { bpw: 1.8 }).tensor));
    expect(bytes.length).toBe(cb158Layout.bytesFor([32, 256], { bpw: 1.8 }));
    expect(usedBytes(quantizeCb158(w, [32, 256], { bpw: 1.8 }).tensor)).toBeLessThanOrEqual(bytes.length);
  });
});
