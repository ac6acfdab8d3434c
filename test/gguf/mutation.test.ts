/**
 * Seeded mutations of the golden files (byte changes in the header region, truncations, both):
 * every variant either parses into a self-consistent result or fails with a TernpackError.
 */
import { expect, it } from "vitest";
import { isTernpackError } from "../../src/core/errors.js";
import { bufferSource } from "../../src/core/io.js";
import { readGguf } from "../../formats/gguf/index.js";
import { readFixture } from "../helpers/fixtures.js";
import { mulberry32 } from "../../src/core/prng.js";

/** A deterministic PRNG, so a failing variant can be replayed by its index. */
const prng = mulberry32;

const VARIANTS = 2000;

it(`${VARIANTS} mutated variants give only TernpackErrors or consistent parses`, async () => {
  const goldens = [readFixture("gguf", "all_kv_types.gguf"), readFixture("gguf", "aligned64.gguf")];
  const headerEnd = [1824, 1856]; // data_section_offset from the manifest
  const rand = prng(20260301);
  const pick = (n: number) => Math.floor(rand() * n);
  const codes = new Map<string, number>();
  let parsed = 0;
  for (let v = 0; v < VARIANTS; v++) {
    const g = v % 2;
    const bytes = (goldens[g] as Uint8Array).slice();
    const kind = pick(4); // 0, 1: byte changes; 2: truncation; 3: both
    if (kind !== 2) for (let k = 1 + pick(4); k > 0; k--) bytes[pick(headerEnd[g] as number)] = pick(256);
    const length = kind >= 2 ? pick(bytes.length) : bytes.length;
    const input = bytes.subarray(0, length);
    try {
      const r = await readGguf(bufferSource(input), { windowBytes: rand() < 0.5 ? 64 : 1 << 20 });
      parsed += 1;
      expect(r.dataOffset % r.alignment).toBe(0);
      for (const t of r.tensors) {
        expect(t.offset % r.alignment, `variant ${v}`).toBe(0);
        expect(t.absoluteOffset + t.nbytes, `variant ${v}`).toBeLessThanOrEqual(input.length);
      }
    } catch (e) {
      if (!isTernpackError(e)) throw new Error(`variant ${v} threw a non-TernpackError: ${String(e)}`, { cause: e });
      codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    }
  }
  // Both outcomes occur, and the failures are spread over many distinct causes.
  expect(parsed).toBeGreaterThan(50);
  expect(codes.size).toBeGreaterThanOrEqual(10);
  expect(parsed + [...codes.values()].reduce((a, b) => a + b, 0)).toBe(VARIANTS);
});
