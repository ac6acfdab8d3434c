/**
 * Exhaustive single-bit corruption of a small CB158 payload (64 × 128 at 1.58 bpw, with salient
 * columns and outliers): every flip must either make the kernel raise INVALID_CODE or change the
 * dequantized matrix (bit for bit), so a verification against the quantizer's reconstruction
 * catches it — except the flips that are undetectable by design, asserted exactly:
 *   a group-index flip that yields another valid index whose codeword differs from the original
 *   only at positions in salient columns, which §4 overwrites (their base codes carry no value).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { cb158Kernel, type Cb158Section, type Cb158SectionName } from "../../kernels/reference/cb158.js";
import { randomCase, type Cb158Case } from "../kernels/cb158-inputs.js";
import { bitsOf, flipAll, type Flip } from "./cb158-flips.js";

/** The spec's tables (CB158-SPEC.md §3), and its codebook built here by a plain sort. */
const P = [1, 17, 129, 577, 1697, 3489, 5281, 6305, 6561];
const WIDTH = [0, 5, 8, 10, 11, 12, 13, 13, 13];
const digits = (v: number) => Array.from({ length: 8 }, (_, j) => (Math.floor(v / 3 ** j) % 3) - 1);
const CODEBOOK = Array.from({ length: 6561 }, (_, v) => v)
  .sort((a, b) => digits(a).filter((c) => c !== 0).length - digits(b).filter((c) => c !== 0).length || a - b)
  .map(digits);

/** The group-index flips §4 makes invisible, as "byte.bit" keys, from the spec's geometry. */
function maskedByDesign(c: Cb158Case, sections: Cb158Section[]): Set<string> {
  const [M, K] = c.shape;
  const B = (M * K) / 32;
  const S = Math.ceil(B / 8);
  const cap0 = c.bytes[1]!;
  const start = sections.find((s) => s.name === "group indices")!.start;
  const salient = new Set(c.salientColumns);
  const out = new Set<string>();
  let bit = 0;
  for (let s = 0; s < S; s++) {
    const cap = cap0 + bitsOf(c.bytes, 10, 2 * s, 2);
    for (let g = 32 * s; g < Math.min(32 * (s + 1), B * 4); g++, bit += WIDTH[cap]!) {
      const index = bitsOf(c.bytes, start, bit, WIDTH[cap]!);
      for (let i = 0; i < WIDTH[cap]!; i++) {
        const flipped = index ^ (1 << i);
        if (flipped >= P[cap]!) continue;
        const visible = CODEBOOK[index]!.some((v, j) => v !== CODEBOOK[flipped]![j] && !salient.has((8 * g + j) % K));
        if (!visible) out.add(`${start + ((bit + i) >> 3)}.${(bit + i) & 7}`);
      }
    }
  }
  return out;
}

describe("cb158 single-bit flips (64 × 128, 1.58 bpw)", () => {
  const c = randomCase([64, 128], 1.58, 7);
  const sections = cb158Kernel.sections(c.bytes, c.shape);
  let flips: Flip[] = [];
  beforeAll(() => {
    flips = flipAll(c, sections);
  }, 120_000);

  it("has salient columns and outliers, and every section but padding is non-empty", () => {
    expect(c.bits.salient).toBeGreaterThan(0);
    expect(c.bits.outliers).toBeGreaterThan(0);
    expect(c.salientColumns.length).toBeGreaterThan(0);
    expect(c.outliers.length).toBeGreaterThan(0);
    for (const s of sections) if (s.name !== "padding") expect(s.end, s.name).toBeGreaterThan(s.start);
    expect(flips).toHaveLength(8 * c.bytes.length);
  });

  it("every flip is caught except exactly the group-index flips hidden by salient columns", () => {
    const masked = flips.filter((f) => f.outcome === "masked").map((f) => `${f.byte}.${f.bit}`);
    const expected = maskedByDesign(c, sections);
    expect(expected.size).toBeGreaterThan(0);
    expect(new Set(masked)).toEqual(expected);
  });

  it("INVALID_CODE points into the payload; padding and f16 sign bits at their own field", () => {
    const at = (name: Cb158SectionName) => sections.find((s) => s.name === name)!;
    for (const f of flips.filter((x) => x.outcome === "invalid")) {
      expect(f.offset).toBeGreaterThanOrEqual(0);
      expect(f.offset).toBeLessThan(c.bytes.length);
    }
    const own = flips.filter(
      (f) =>
        f.section === "padding" ||
        (["super-block scales", "salient scales"].includes(f.section) && (f.byte - at(f.section).start) % 2 === 1 && f.bit === 7),
    );
    expect(own.length).toBeGreaterThan(0);
    for (const f of own) expect(f, `${f.section} ${f.byte}.${f.bit}`).toMatchObject({ outcome: "invalid", offset: f.byte - (f.section === "padding" ? 0 : 1) });
  });

  it("counts per section and mechanism add up to every bit of the section", () => {
    const table = Object.fromEntries(
      sections.map((s) => {
        const mine = flips.filter((f) => f.section === s.name);
        return [s.name, { invalid: mine.filter((f) => f.outcome === "invalid").length, differs: mine.filter((f) => f.outcome === "differs").length, masked: mine.filter((f) => f.outcome === "masked").length }];
      }),
    );
    for (const s of sections) {
      const r = table[s.name]!;
      expect(r.invalid + r.differs + r.masked, s.name).toBe(8 * (s.end - s.start));
    }
    for (const name of ["header", "padding"] as const) expect(table[name]!.invalid, name).toBe(8 * (at(name).end - at(name).start));
    function at(name: Cb158SectionName) {
      return sections.find((s) => s.name === name)!;
    }
  });
});
