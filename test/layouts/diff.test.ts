import { describe, expect, it } from "vitest";
import { firstDifference } from "../../formats/layouts/diff.js";
import { expectError } from "./tq-suite.js";

const base = () => Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff);

describe("firstDifference", () => {
  it("is null for identical buffers", () => {
    expect(firstDifference(base(), base(), 10)).toBeNull();
    expect(firstDifference(new Uint8Array(0), new Uint8Array(0), 10)).toBeNull();
  });

  it("names the first differing block, byte and bits, and counts damaged blocks", () => {
    const a = base();
    a[23] = a[23]! ^ 0b0010_0100;
    a[25] = a[25]! ^ 1; // same block: still one bad block
    a[31] = a[31]! ^ 0x80;
    const e = base();
    expect(firstDifference(a, e, 10)).toEqual({
      block: 2,
      byte: 23,
      actual: e[23]! ^ 0b0010_0100,
      expected: e[23],
      differingBits: 0b0010_0100,
      badBlocks: 2,
    });
  });

  it("treats bytes missing from the shorter buffer as differing", () => {
    const e = base();
    const a = e.slice(0, 35);
    expect(firstDifference(a, e, 10)).toEqual({ block: 3, byte: 35, actual: -1, expected: e[35], differingBits: 0xff, badBlocks: 1 });
    expect(firstDifference(e, a, 8)).toMatchObject({ block: 4, byte: 35, actual: e[35], expected: -1, badBlocks: 1 });
  });

  it("refuses a block size that is not a positive integer", () => {
    expectError(() => firstDifference(base(), base(), 0), "USAGE");
    expectError(() => firstDifference(base(), base(), 2.5), "USAGE");
  });
});
