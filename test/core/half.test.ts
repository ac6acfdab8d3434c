import { describe, expect, it } from "vitest";
import {
  bf16BitsFromF32Bits,
  bf16BitsToF32,
  decodeHalves,
  encodeHalves,
  f16BitsFromF32Bits,
  f16BitsToF32,
  f16BitsToF32Bits,
  f32ToBf16Bits,
  f32ToF16Bits,
} from "../../src/core/half.js";
import { goldenCases, readF32, readU8 } from "../helpers/fixtures.js";

type Kind = "f16" | "bf16";
const readU32 = (folder: string, file: string) => new Uint32Array(readF32(folder, file).buffer);
const narrow = { f16: f16BitsFromF32Bits, bf16: bf16BitsFromF32Bits };
const hex = (x: number, digits: number) => `0x${(x >>> 0).toString(16).padStart(digits, "0")}`;

/** Indices where two arrays differ, as "index: actual vs expected" (empty when equal). */
function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>, digits: number): string[] {
  expect(actual.length).toBe(expected.length);
  const out: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) out.push(`${i}: ${hex(actual[i]!, digits)} vs ${hex(expected[i]!, digits)}`);
  }
  return out;
}

const halvesOf = (bytes: Uint8Array) => Uint16Array.from({ length: bytes.length / 2 }, (_, i) => bytes[2 * i]! | (bytes[2 * i + 1]! << 8));
const bitsOf = (values: Float32Array) => new Uint32Array(values.buffer, values.byteOffset, values.length);
const isF16NaN = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

for (const kind of ["f16", "bf16"] as Kind[]) {
  const folder = `layouts/${kind}`;
  describe(`${kind} golden conversions (gguf-py 0.19.0 / numpy 2.4.6)`, () => {
    for (const c of goldenCases(folder)) {
      const input = readU32(folder, c.files.input!.file);
      const expected = readU8(folder, c.files.expected!.file);
      const dequant = readU32(folder, c.files.expected_dequant!.file);
      const values = new Float32Array(input.buffer);

      it(`${c.name}: narrowing is bit-exact (bulk and per element)`, () => {
        expect(mismatches(encodeHalves(values, kind), expected, 2)).toEqual([]);
        expect(mismatches(Array.from(input, (b) => narrow[kind](b)), halvesOf(expected), 4)).toEqual([]);
      });

      it(`${c.name}: widening reproduces dequant.f32 bit for bit`, () => {
        expect(mismatches(bitsOf(decodeHalves(expected, kind)), dequant, 8)).toEqual([]);
      });

      if (c.params.table) {
        it(`${c.name}: every labelled edge value`, () => {
          for (const row of c.params.table as { index: number; input_bits: string; expected: string; label: string }[]) {
            expect(input[row.index], row.label).toBe(Number(row.input_bits));
            expect(hex(narrow[kind](Number(row.input_bits)), 4), row.label).toBe(row.expected);
          }
        });
      }

      if (c.files.expected_libggml) {
        it(`${c.name}: libggml differs exactly on the NaN elements the manifest lists`, () => {
          const libggml = halvesOf(readU8(folder, c.files.expected_libggml!.file));
          const ours = halvesOf(encodeHalves(values, kind));
          const listed = c.checks!.libggml_mismatches as { index: number; input_bits: string; gguf_py: string; libggml: string }[];
          const differing = [...ours.keys()].filter((i) => ours[i] !== libggml[i]);
          expect(differing).toEqual(listed.map((m) => m.index));
          for (const m of listed) {
            expect(Number.isNaN(values[m.index]), `element ${m.index} is NaN`).toBe(true);
            expect(hex(ours[m.index]!, 4)).toBe(m.gguf_py);
            expect(hex(libggml[m.index]!, 4)).toBe(m.libggml);
          }
          // libggml's half -> float quiets signalling NaNs; we keep them as numpy does.
          const widened = bitsOf(decodeHalves(expected, kind));
          for (const m of c.checks!.libggml_dequant_mismatches as { index: number; expected_f32_bits: string }[]) {
            expect(hex(widened[m.index]!, 8), `element ${m.index}`).toBe(m.expected_f32_bits);
          }
        });
      }
    }
  });
}

describe("exhaustive round trips", () => {
  const allHalves = Uint16Array.from({ length: 65536 }, (_, h) => h);
  const allBytes = new Uint8Array(allHalves.buffer);

  it("f16 -> f32 -> f16 is the identity for all 63,490 non-NaN halves (scalar and bulk)", () => {
    const wide = decodeHalves(allBytes, "f16");
    const back = halvesOf(encodeHalves(wide, "f16"));
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      if (isF16NaN(h)) continue;
      if (f32ToF16Bits(f16BitsToF32(h)) !== h || back[h] !== h) bad.push(h);
    }
    expect(bad).toEqual([]);
    expect(65536 - allHalves.filter(isF16NaN).length).toBe(63490);
  });

  it("f16 NaN halves widen to sign | 0x7F800000 | payload << 13 and narrow back unchanged", () => {
    const wide = bitsOf(decodeHalves(allBytes, "f16"));
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) {
      if (!isF16NaN(h)) continue;
      const want = (((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13)) >>> 0;
      if (wide[h] !== want) bad.push(`${hex(h, 4)} -> ${hex(wide[h]!, 8)}`);
      else if (f16BitsFromF32Bits(want) !== h) bad.push(`${hex(want, 8)} -> ${hex(f16BitsFromF32Bits(want), 4)}`);
    }
    expect(bad).toEqual([]);
  });

  it("bf16 -> f32 -> bf16 is the identity for all non-NaN values; NaNs come back quieted", () => {
    const wide = bitsOf(decodeHalves(allBytes, "bf16"));
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      if (wide[h] !== ((h << 16) >>> 0)) bad.push(h); // widening is exact, NaN payloads included
      const isNaN = (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
      const want = isNaN ? h | 0x0040 : h;
      if (bf16BitsFromF32Bits(wide[h]!) !== want) bad.push(h);
      if (!isNaN && f32ToBf16Bits(bf16BitsToF32(h)) !== h) bad.push(h);
    }
    expect(bad).toEqual([]);
  });
});

describe("decodeHalves on unaligned and odd-length input", () => {
  // Every 16-bit pattern once (NaNs with payloads, signalling NaNs included), plus one more half.
  const halves = 65537;
  const backing = new Uint8Array(2 * halves + 3);
  for (let h = 0; h < halves; h++) {
    backing[3 + 2 * h] = h & 0xff;
    backing[4 + 2 * h] = (h >>> 8) & 0xff;
  }
  const expectedBits = (kind: Kind, h: number) =>
    kind === "bf16" ? ((h & 0xffff) << 16) >>> 0 : f16BitsToF32Bits(h);
  for (const kind of ["f16", "bf16"] as const) {
    for (const offset of [1, 2, 3]) {
      it(`${kind} at byte offset ${offset}: the same bits as half-by-half`, () => {
        const start = offset;
        const count = Math.floor((backing.length - start) / 2);
        const bytes = backing.subarray(start, start + 2 * count);
        const wide = new Uint32Array(decodeHalves(bytes, kind).buffer);
        const bad: string[] = [];
        for (let i = 0; i < count && bad.length < 8; i++) {
          const h = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
          if (wide[i] !== expectedBits(kind, h)) bad.push(`${i}: ${hex(wide[i]!, 8)} vs ${hex(expectedBits(kind, h), 8)}`);
        }
        expect(bad).toEqual([]);
        expect(wide.length).toBe(count);
      });
    }
  }
});
