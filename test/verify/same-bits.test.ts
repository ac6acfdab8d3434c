/** sameBits: every differing byte is seen, wherever it is (word loop, eight-word steps, tail, unaligned views). */
import { describe, expect, it } from "vitest";
import { sameBits } from "../../src/verify/same-bits.js";

describe("sameBits", () => {
  it("equal bytes are the same; one flipped bit anywhere is not, for lengths 0 … 80", () => {
    for (let n = 0; n <= 80; n++) {
      const a = Uint8Array.from({ length: n }, (_, i) => (i * 37) & 0xff);
      expect(sameBits(a, a.slice())).toBe(true);
      for (let at = 0; at < n; at++) {
        const b = a.slice();
        b[at]! ^= 1 << (at % 8);
        expect(sameBits(a, b)).toBe(false);
      }
    }
  });

  it("views at odd offsets and arrays of other types compare their bytes; lengths must match", () => {
    const backing = Uint8Array.from({ length: 101 }, (_, i) => i);
    const a = backing.subarray(1, 101);
    const b = Uint8Array.from({ length: 100 }, (_, i) => i + 1);
    expect(sameBits(a, b)).toBe(true);
    b[99] = 0;
    expect(sameBits(a, b)).toBe(false);
    expect(sameBits(new Float32Array([1, NaN]), new Float32Array([1, NaN]))).toBe(true);
    expect(sameBits(new Int8Array(8), new Int8Array(9))).toBe(false);
  });
});
