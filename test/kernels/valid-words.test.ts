/**
 * The code-byte checks that run four bytes at a time (I2_S, TL1, TL2): every byte value in every
 * lane of a word is accepted or rejected exactly as the byte rule says, wherever the payload starts.
 */
import { describe, expect, it } from "vitest";
import { TernpackError } from "../../src/core/errors.js";
import { getKernel, type KernelName } from "../../kernels/index.js";
import { caught, layoutCases } from "./golden-layouts.js";

/** The byte rules, from ternary-layouts.md: 2-bit code 3 never written; TL pair index ≤ 8; TL2 |v| ≤ 13. */
const RULES: { layout: KernelName; name: string; offset: number; accepts: (b: number) => boolean }[] = [
  { layout: "i2_s", name: "random_8x512", offset: 0, accepts: (b) => [0, 2, 4, 6].every((s) => ((b >> s) & 3) !== 3) },
  { layout: "tl1", name: "random_96x192_multi_tile", offset: 0, accepts: (b) => b >> 4 <= 8 && (b & 15) <= 8 },
  { layout: "tl2", name: "random_320x320_3b_preset", offset: 0, accepts: (b) => b >> 4 <= 13 && (b & 15) <= 13 },
  { layout: "tl2", name: "random_320x320_3b_preset", offset: 15360 + 3840, accepts: (b) => b >> 4 <= 8 && (b & 15) <= 8 },
];

function rejection(fn: () => unknown): TernpackError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof TernpackError) return e;
    throw e;
  }
  return undefined;
}

describe("code bytes checked as words", () => {
  for (const { layout, name, offset, accepts } of RULES) {
    const c = layoutCases(layout).find((x) => x.name === name)!;
    const kernel = getKernel(layout);

    for (const shift of [0, 1, 2, 3]) {
      it(`${layout}/${name}: all 256 values at bytes ${offset + 40}…${offset + 43}, payload at buffer offset ${shift}`, () => {
        const payload = new Uint8Array(c.payload.length + shift).subarray(shift);
        for (let lane = 0; lane < 4; lane++) {
          const at = offset + 40 + lane;
          for (let b = 0; b < 256; b++) {
            payload.set(c.payload);
            // a zero TL2 triple is valid only if its sign bit (left as packed) is clear: not a byte rule
            if (layout === "tl2" && offset === 0 && (b >> 4 === 0 || (b & 15) === 0)) continue;
            payload[at] = b;
            const e = rejection(() => kernel.codes(payload, c.shape, c.params));
            if (accepts(b)) expect(e, `byte 0x${b.toString(16)}`).toBeUndefined();
            else expect(e, `byte 0x${b.toString(16)}`).toMatchObject({ code: "INVALID_CODE", offset: at });
          }
        }
      });
    }

    it(`${layout}/${name}: of several bad bytes the first is reported (head, words and tail of a misaligned payload)`, () => {
      const payload = new Uint8Array(c.payload.length + 1).subarray(1);
      const bad = 0xff; // code 3 in every field; nibbles of 15
      for (const first of [offset, offset + 2, offset + 57]) {
        payload.set(c.payload);
        payload[first] = bad;
        payload[first + 33] = bad;
        expect(rejection(() => kernel.codes(payload, c.shape, c.params))).toMatchObject({ code: "INVALID_CODE", offset: first });
      }
    });
  }
});

describe("code 3 far into a long payload (the SIMD scan's later chunks)", () => {
  for (const [layout, M, K, at] of [["i2_s", 512, 1024, 100_001], ["tq2_0", 512, 1024, 66 * 1500 + 37]] as const) {
    it(`${layout} [${M}, ${K}]: INVALID_CODE at byte ${at}, the codes and the GEMV alike`, () => {
      const bytes = new Uint8Array(layout === "i2_s" ? (M * K) / 4 + 32 : ((M * K) / 256) * 66);
      bytes[at] = 0x30; // field 2 of the byte is 0b11
      for (const run of [() => getKernel(layout).codes(bytes, [M, K]), () => getKernel(layout).gemv(bytes, [M, K], undefined, new Int8Array(K), 1)]) {
        expect(caught(run)).toMatchObject({ code: "INVALID_CODE", offset: at });
      }
    });
  }
});
