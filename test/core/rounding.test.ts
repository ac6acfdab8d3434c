import { describe, expect, it } from "vitest";
import { clamp, roundHalfAway, roundHalfEven } from "../../src/core/rounding.js";

/** The largest float32 below 0.5 and the smallest above it. */
const BELOW_HALF = Math.fround(0.49999997);
const ABOVE_HALF = Math.fround(0.50000006);

/** [input, expected]; expected values follow from the definitions in bitnet-semantics.md §2. */
const RHE: [number, number][] = [
  [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, 0], [-1.5, -2], [-2.5, -2], [-3.5, -4],
  [BELOW_HALF, 0], [-BELOW_HALF, 0], [ABOVE_HALF, 1], [-ABOVE_HALF, -1],
  [Math.fround(1.4999999), 1], [1.75, 2], [-1.25, -1],
  [4194304.5, 4194304], [4194305.5, 4194306], [-4194304.5, -4194304], // 2^22 + 0.5: f32 still has halves
  [8388609, 8388609], [-8388609, -8388609], // beyond 2^23 every f32 is an integer
];

const RHAZ: [number, number][] = [
  [0.5, 1], [1.5, 2], [2.5, 3], [3.5, 4], [-0.5, -1], [-1.5, -2], [-2.5, -3],
  [BELOW_HALF, 0], [-BELOW_HALF, 0], [ABOVE_HALF, 1], [-ABOVE_HALF, -1],
  [Math.fround(1.4999999), 1], [Math.fround(-1.4999999), -1], [-1.75, -2],
  [4194304.5, 4194305], [-4194304.5, -4194305], [8388607.5, 8388608], [-8388607.5, -8388608],
  [127.5, 128], [-127.5, -128],
];

describe("roundHalfEven (RHE)", () => {
  for (const [x, want] of RHE) {
    it(`${x} -> ${want}`, () => expect(Object.is(roundHalfEven(x), want)).toBe(true));
  }
  it("normalises -0 to +0, including results that round to zero from below", () => {
    for (const x of [-0, -0.5, -0.25, -BELOW_HALF]) expect(Object.is(roundHalfEven(x), 0), `${x}`).toBe(true);
  });
});

describe("roundHalfAway (RHAZ)", () => {
  for (const [x, want] of RHAZ) {
    it(`${x} -> ${want}`, () => expect(Object.is(roundHalfAway(x), want)).toBe(true));
  }
  it("normalises -0 to +0, including results that round to zero from below", () => {
    for (const x of [-0, -0.25, -BELOW_HALF]) expect(Object.is(roundHalfAway(x), 0), `${x}`).toBe(true);
  });
  it("differs from Math.round on negative ties and from RHE on even ties", () => {
    expect([roundHalfAway(-2.5), Math.round(-2.5), roundHalfEven(-2.5)]).toEqual([-3, -2, -2]);
    expect([roundHalfAway(2.5), roundHalfEven(2.5)]).toEqual([3, 2]);
  });
});

describe("clamp", () => {
  it("limits to [lo, hi]", () => {
    expect([clamp(-3, -1, 1), clamp(0.5, -1, 1), clamp(2, -1, 1), clamp(-1, -1, 1)]).toEqual([-1, 0.5, 1, -1]);
  });
});
