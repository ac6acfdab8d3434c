/** The four-codes-at-a-time helpers the ternary packers share (blocks.ts) and the packers' handling of odd inputs. */
import { describe, expect, it } from "vitest";
import { codeLanes, firstNonTernary, invalidLanes } from "../../formats/layouts/blocks.js";
import { getLayout } from "../../formats/layouts/registry.js";
import type { TernaryLayout } from "../../formats/layouts/tq-layout.js";
import "../../formats/layouts/index.js";
import { expectError } from "./tq-suite.js";

/** Deterministic pseudo-random ternary codes. */
function randomCodes(n: number, seed: number): Int8Array {
  const codes = new Int8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    codes[i] = (s >>> 30) % 3 - 1;
  }
  return codes;
}

describe("codeLanes / invalidLanes", () => {
  it("every byte value in every lane: c = t + 1 for −1, 0, +1, flagged otherwise, neighbours untouched", () => {
    for (let lane = 0; lane < 4; lane++) {
      for (let b = 0; b < 256; b++) {
        // the other lanes hold −1, 0, +1 (0xff, 0x00, 0x01) so a carry or borrow would show
        const bytes = Uint8Array.of(0xff, 0x00, 0x01, 0xff);
        bytes[lane] = b;
        const word = new DataView(bytes.buffer).getInt32(0, true);
        const lanes = codeLanes(word);
        const t = (b << 24) >> 24;
        const valid = t >= -1 && t <= 1;
        expect(invalidLanes(lanes) !== 0, `byte 0x${b.toString(16)} in lane ${lane}`).toBe(!valid);
        for (let k = 0; k < 4; k++) {
          const expected = k === lane ? t + 1 : ((bytes[k]! << 24) >> 24) + 1;
          if (k !== lane || valid) expect((lanes >>> (8 * k)) & 0xff).toBe(expected);
        }
      }
    }
  });
});

describe("firstNonTernary", () => {
  it("finds the first out-of-range code anywhere, the tail past the last whole word included", () => {
    const codes = randomCodes(4099, 7);
    expect(firstNonTernary(codes)).toBe(-1);
    for (const at of [0, 3, 1000, 4095, 4096, 4098]) {
      for (const value of [2, -2, 127, -128]) {
        const bad = codes.slice();
        bad[at] = value;
        bad[4098] = at === 4098 ? value : 5; // a later bad code must not be the one reported
        expect(firstNonTernary(bad)).toBe(at);
      }
    }
  });

  it("works on a view at an odd byte offset", () => {
    const backing = randomCodes(1025, 3);
    backing[600] = 9;
    expect(firstNonTernary(backing.subarray(1))).toBe(599);
  });
});

describe("ternary packers on unaligned codes and bad codes", () => {
  const cases: [string, number[], (n: number) => Float32Array][] = [
    ["tq2_0", [4, 512], (n) => new Float32Array(n / 256).fill(0.5)],
    ["tq1_0", [4, 512], (n) => new Float32Array(n / 256).fill(0.5)],
    ["i2_s", [4, 512], () => Float32Array.of(0.5)],
    // longer than one call of the SIMD packer (two-bit-pack.ts: 65,536 codes a call)
    ["tq2_0", [300, 512], (n) => new Float32Array(n / 256).fill(0.5)],
    ["i2_s", [300, 512], () => Float32Array.of(0.5)],
  ];
  for (const [name, shape, scalesFor] of cases) {
    const layout = getLayout(name) as TernaryLayout;
    const n = shape[0]! * shape[1]!;

    it(`${name}: codes at an odd byte offset pack to the same bytes and unpack to the same codes`, () => {
      const codes = randomCodes(n, 11);
      const backing = new Int8Array(n + 1);
      backing.set(codes, 1);
      const aligned = layout.pack({ shape, codes, scales: scalesFor(n) });
      const shifted = layout.pack({ shape, codes: backing.subarray(1), scales: scalesFor(n) });
      expect(Buffer.from(shifted).equals(Buffer.from(aligned))).toBe(true);
      expect(Array.from(layout.unpack(aligned, shape).codes)).toEqual(Array.from(codes));
    });

    it(`${name}: the first non-ternary code is the one reported`, () => {
      for (const value of [2, -2, 127, -128]) {
        const codes = randomCodes(n, 5);
        codes[1234] = value;
        codes[2000] = 3;
        const where = name === "i2_s" ? /row 2, column 210/ : /element 1234/;
        expectError(() => layout.pack({ shape, codes, scales: scalesFor(n) }), "INVALID_TERNARY", where);
      }
    });
  }
});

describe("a bad code far into a long tensor (a later call of the SIMD packer)", () => {
  for (const [name, scales] of [["tq2_0", new Float32Array(600).fill(0.5)], ["i2_s", Float32Array.of(0.5)]] as const) {
    it(`${name}: reported at its element`, () => {
      const codes = randomCodes(300 * 512, 3);
      codes[150_000] = 2;
      const where = name === "i2_s" ? /row 292, column 496/ : /element 150000/;
      expectError(() => (getLayout(name) as TernaryLayout).pack({ shape: [300, 512], codes, scales }), "INVALID_TERNARY", where);
    });
  }
});
