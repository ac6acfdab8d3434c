/**
 * Exhaustive single-bit corruption of a learned-table CB158 payload (version 2; 64 × 128 at
 * 1.58 bpw, with salient columns and outliers): every flip must make the kernel raise INVALID_CODE
 * or change the dequantized matrix bit for bit, except the flips that leave every dequantized value
 * unchanged by the spec's own arithmetic (§4), enumerated here from the spec alone and asserted
 * exactly. With a stored table those are: entries no group uses outside salient columns, index
 * flips to an entry with the same values there, and scale or τ flips whose products round (or
 * stay zero) the same way, including through an outlier's addition.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { cb158Kernel, type Cb158Section } from "../../kernels/reference/cb158.js";
import { f16BitsToF32, f32FromBits } from "../../src/core/half.js";
import { lcg, packValues, randomCase, type Cb158Case } from "../kernels/cb158-inputs.js";
import { bitsOf, flipAll, type Flip } from "./cb158-flips.js";

/** §4's POW[k] bit patterns. */
const POW = [
  0x3f800000, 0x3f3504f3, 0x3f000000, 0x3eb504f3, 0x3e800000, 0x3e3504f3, 0x3e000000, 0x3db504f3,
  0x3d800000, 0x3d3504f3, 0x3d000000, 0x3cb504f3, 0x3c800000, 0x3c3504f3, 0x3c000000, 0x3bb504f3,
].map(f32FromBits);
const validHalf = (h: number, positive: boolean) => (h & 0x7c00) !== 0x7c00 && (h & 0x8000) === 0 && (!positive || h !== 0);

/** The payload as the spec reads it (version 2), and the final value at a position for a base value. */
function model(c: Cb158Case, sections: Cb158Section[]) {
  const b = c.bytes;
  const [M, K] = c.shape;
  const B = (M * K) / 32;
  const S = Math.ceil(B / 8);
  const [w0, T] = [b[1]!, b[10]!];
  const L = 2 ** (w0 + T - 1);
  const at = (name: string) => sections.find((s) => s.name === name)!.start;
  const tau = b[11]! | (b[12]! << 8);
  const q = Int8Array.from(b.subarray(13, 13 + 8 * L), (x) => (x << 24) >> 24);
  const tiers = Array.from({ length: S }, (_, s) => bitsOf(b, at("tier ids"), 2 * s, 2));
  const dBits = Array.from({ length: S }, (_, s) => b[at("super-block scales") + 2 * s]! | (b[at("super-block scales") + 2 * s + 1]! << 8));
  const k = Array.from({ length: B }, (_, x) => bitsOf(b, at("block scale codes"), 4 * x, 4));
  const fieldBit: number[] = [];
  const index: number[] = [];
  for (let g = 0, bit = 0; g < 4 * B; bit += w0 + tiers[g >> 5]!, g++) {
    fieldBit.push(bit);
    index.push(bitsOf(b, at("group indices"), bit, w0 + tiers[g >> 5]!));
  }
  const salient = new Set(c.salientColumns);
  const residual = new Map<number, number>();
  const resAt = at("outlier residuals");
  c.outliers.forEach((x, o) => residual.set(x, f16BitsToF32(b[resAt + 2 * o]! | (b[resAt + 2 * o + 1]! << 8))));
  const blockScale = (x: number, d = f16BitsToF32(dBits[x >> 3]!), code = k[x]!) => Math.fround(d * POW[code]!);
  /** Whether group g's 8 final values are the same with (entry values, block scale) as originally. */
  const same = (g: number, entry: (j: number) => number, scale: number) => {
    for (let j = 0; j < 8; j++) {
      const x = 8 * g + j;
      if (salient.has(x % K)) continue;
      const before = Math.fround(q[8 * index[g]! + j]! * f16BitsToF32(tau) * blockScale(g >> 2));
      const after = Math.fround(entry(j) * scale);
      const r = residual.get(x);
      if (!Object.is(r === undefined ? before : Math.fround(before + r), r === undefined ? after : Math.fround(after + r))) return false;
    }
    return true;
  };
  return { b, B, S, L, w0, tiers, tau, q, dBits, k, index, fieldBit, at, blockScale, same };
}

/** Flips the spec says leave Ŵ unchanged ("byte.bit"), and flips it says must be rejected. */
function expectedOutcomes(c: Cb158Case, sections: Cb158Section[]) {
  const m = model(c, sections);
  const masked = new Set<string>();
  const invalid = new Set<string>();
  const key = (byte: number, bit: number) => `${byte}.${bit}`;
  const groups = Array.from({ length: 4 * m.B }, (_, g) => g);
  const tau = f16BitsToF32(m.tau);
  // Table entries: entry e, position j, bit i.
  for (let e = 0; e < m.L; e++) {
    const users = groups.filter((g) => m.index[g] === e);
    for (let j = 0; j < 8; j++) {
      for (let i = 0; i < 8; i++) {
        const flipped = (((m.q[8 * e + j]! & 0xff) ^ (1 << i)) << 24) >> 24;
        const entry = (jj: number) => (jj === j ? flipped : m.q[8 * e + jj]!) * tau;
        if (users.every((g) => m.same(g, entry, m.blockScale(g >> 2)))) masked.add(key(13 + 8 * e + j, i));
      }
    }
  }
  // The step τ.
  for (let i = 0; i < 16; i++) {
    const h = m.tau ^ (1 << i);
    if (!validHalf(h, true)) invalid.add(key(11 + (i >> 3), i & 7));
    else if (groups.every((g) => m.same(g, (j) => m.q[8 * m.index[g]! + j]! * f16BitsToF32(h), m.blockScale(g >> 2)))) masked.add(key(11 + (i >> 3), i & 7));
  }
  // Group indices: every flipped field is a valid index of its tier (its width is at most the table's).
  const indexStart = m.at("group indices");
  for (const g of groups) {
    const width = m.w0 + m.tiers[g >> 5]!;
    for (let i = 0; i < width; i++) {
      const other = m.index[g]! ^ (1 << i);
      const bit = m.fieldBit[g]! + i;
      if (m.same(g, (j) => m.q[8 * other + j]! * tau, m.blockScale(g >> 2))) masked.add(key(indexStart + (bit >> 3), bit & 7));
    }
  }
  // Block scale codes and super-block scales: the groups of the block / super-block under the new scale.
  const value = (g: number) => (j: number) => m.q[8 * m.index[g]! + j]! * tau;
  for (let x = 0; x < m.B; x++) {
    for (let i = 0; i < 4; i++) {
      const scale = m.blockScale(x, undefined, m.k[x]! ^ (1 << i));
      if ([0, 1, 2, 3].every((q) => m.same(4 * x + q, value(4 * x + q), scale))) masked.add(key(m.at("block scale codes") + (x >> 1), 4 * (x & 1) + i));
    }
  }
  for (let s = 0; s < m.S; s++) {
    for (let i = 0; i < 16; i++) {
      const h = m.dBits[s]! ^ (1 << i);
      const byte = m.at("super-block scales") + 2 * s + (i >> 3);
      if (!validHalf(h, false)) invalid.add(key(byte, i & 7));
      else if (groups.filter((g) => g >> 5 === s).every((g) => m.same(g, value(g), m.blockScale(g >> 2, f16BitsToF32(h))))) masked.add(key(byte, i & 7));
    }
  }
  return { masked, invalid };
}

/** 32 × 256 at 1.58 bpw whose columns 16…23 (one whole group per row) are hot enough to go salient, plus 10 spikes. */
function salientGroupCase(): Cb158Case {
  const [M, K] = [32, 256];
  const rnd = lcg(7);
  const values = new Float32Array(M * K).map(() => rnd() * 0.1);
  const hot = [16, 17, 18, 19, 20, 21, 22, 23];
  for (let i = 0; i < M; i++) for (const col of hot) values[i * K + col]! *= 3;
  for (let s = 0; s < 10; s++) values[Math.floor((rnd() + 0.5) * values.length)] = rnd() > 0 ? 0.6 : -0.6;
  return packValues(values, [M, K], 1.58, hot, "learned");
}

describe("cb158 single-bit flips of learned-table payloads", () => {
  const cases = {
    "64 × 128 at 1.58 bpw (salient columns and outliers)": randomCase([64, 128], 1.58, 7, 10, "learned"),
    "32 × 256 at 1.58 bpw (a whole group salient in every row)": salientGroupCase(),
  };
  const runs = Object.entries(cases).map(([name, c]) => ({ name, c, sections: cb158Kernel.sections(c.bytes, c.shape), flips: [] as Flip[] }));
  beforeAll(() => {
    for (const run of runs) run.flips = flipAll(run.c, run.sections);
  }, 120_000);

  it("the cases are version-2 payloads; the first has outliers and every section but padding non-empty, the second a salient group", () => {
    const [first, second] = runs;
    for (const { c, sections, flips } of runs) {
      expect(c.bytes[0]).toBe(2);
      expect(c.salientColumns.length).toBeGreaterThan(0);
      expect(sections.map((s) => s.name)).toContain("learned table");
      expect(flips).toHaveLength(8 * c.bytes.length);
    }
    expect(first!.c.outliers.length).toBeGreaterThan(0);
    for (const s of first!.sections) if (s.name !== "padding") expect(s.end, s.name).toBeGreaterThan(s.start);
    expect([...second!.c.salientColumns].filter((col) => col >= 16 && col < 24)).toHaveLength(8);
  });

  it("every flip is caught except exactly the ones the spec's arithmetic leaves invisible", () => {
    const counts = runs.map(({ name, c, sections, flips }) => {
      const { masked, invalid } = expectedOutcomes(c, sections);
      expect(new Set(flips.filter((f) => f.outcome === "masked").map((f) => `${f.byte}.${f.bit}`)), name).toEqual(masked);
      expect(invalid.size, name).toBeGreaterThan(0);
      for (const f of flips) if (invalid.has(`${f.byte}.${f.bit}`)) expect(f, `${name}: ${f.section} ${f.byte}.${f.bit}`).toMatchObject({ outcome: "invalid" });
      return masked.size;
    });
    // At least every flip of the salient group's index fields (32 rows × its width) is invisible.
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBeGreaterThanOrEqual(32 * runs[1]!.c.bytes[1]!);
  });

  it("flips in the header and padding are all rejected; each section's counts cover its bits", () => {
    for (const { sections, flips } of runs) {
      for (const s of sections) {
        const mine = flips.filter((f) => f.section === s.name);
        expect(mine.length, s.name).toBe(8 * (s.end - s.start));
        if (s.name === "header" || s.name === "padding") expect(mine.every((f) => f.outcome === "invalid"), s.name).toBe(true);
      }
    }
  });
});
