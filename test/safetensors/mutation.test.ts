/**
 * Randomized corruption: 3,000 seeded variants of valid files (byte flips in the header, truncation,
 * random header length fields, JSON edits, appended bytes). Each must open cleanly or fail with a
 * TernpackError — never another exception, never a read past the file or larger than it.
 */
import { describe, expect, it } from "vitest";
import { TernpackError } from "../../src/core/errors.js";
import { openSafetensors, serializeSafetensors } from "../../formats/safetensors/index.js";
import { readFixture } from "../helpers/fixtures.js";
import { countingSource, prng } from "./helpers.js";

const seeds: Uint8Array[] = [
  readFixture("safetensors", "all_dtypes.safetensors"),
  readFixture("safetensors", "multi_metadata.safetensors"),
  readFixture("safetensors", "sharded/model-00002-of-00002.safetensors"),
  serializeSafetensors(
    [
      { name: "__proto__", dtype: "F4", shape: [2, 2], data: new Uint8Array([1, 2]) },
      { name: "ä.w", dtype: "I16", shape: [3], data: new Uint8Array(6) },
    ],
    { a: "b" },
  ),
];

const SNIPPETS = ["{", "}", "[", "]", '"', ",", ":", "-1", "1e400", "0", "2.5", "18446744073709551616", '"__proto__"', "\\u0000", "\\ud800", "null", '"x":1', " ", '"dtype"', '"F33"', "[[[[[[", "\u00e4", "\uFEFF"];

type Rng = ReturnType<typeof prng>;
const headerLength = (f: Uint8Array) => Number(new DataView(f.buffer, f.byteOffset, 8).getBigUint64(0, true));

function withLength(f: Uint8Array, n: bigint): Uint8Array {
  const out = f.slice();
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

const mutations: ((f: Uint8Array, r: Rng) => Uint8Array)[] = [
  // byte flips inside the header
  (f, r) => {
    const out = f.slice();
    const n = headerLength(f);
    for (let k = 1 + r.int(4); k > 0; k--) out[8 + r.int(n)] = r.int(256);
    return out;
  },
  // truncation anywhere
  (f, r) => f.slice(0, r.int(f.length)),
  // header length field: near the truth, small, around the caps, or any u64
  (f, r) => {
    const n = BigInt(headerLength(f));
    const choices = [
      n + BigInt(r.int(17) - 8),
      BigInt(r.int(f.length + 16)),
      100_000_000n,
      100_000_001n,
      (1n << 64n) - 1n,
      BigInt(r.int(2 ** 32)) * BigInt(r.int(2 ** 32)),
    ];
    return withLength(f, r.pick(choices) & ((1n << 64n) - 1n));
  },
  // JSON edit, with the length field kept consistent
  (f, r) => {
    const n = headerLength(f);
    const text = new TextDecoder().decode(f.subarray(8, 8 + n));
    const at = r.int(text.length + 1);
    const edits = [
      () => text.slice(0, at) + r.pick(SNIPPETS) + text.slice(at),
      () => text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + r.int(8))),
      () => text.slice(0, at) + text.slice(r.int(text.length)),
      () => text.replace(/\d+/g, (d) => (r.int(4) === 0 ? r.pick(["0", "-1", "1.0", String(Number(d) + 1), "99999999999999999999"]) : d)),
    ];
    const json = new TextEncoder().encode(r.pick(edits)());
    const out = new Uint8Array(8 + json.length + f.length - 8 - n);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(f.subarray(8 + n), 8 + json.length);
    return out;
  },
  // extra bytes at the end
  (f, r) => {
    const out = new Uint8Array(f.length + 1 + r.int(16));
    out.set(f);
    return out;
  },
];

describe("mutation fuzzing", () => {
  it(
    "3,000 corrupted variants: success or TernpackError, reads within the file",
    async () => {
      const r = prng(0x5afe7e45);
      const codes = new Map<string, number>();
      let opened = 0;
      for (let i = 0; i < 3000; i++) {
        const file = mutations[i % mutations.length]!(r.pick(seeds), r);
        const src = countingSource(file);
        try {
          const st = await openSafetensors(src);
          opened++;
          for (const t of st.tensors) expect((await st.readBytes(t.name)).length).toBe(t.byteLength);
        } catch (e) {
          if (!(e instanceof TernpackError)) throw new Error(`variant ${i}: ${String(e)}`, { cause: e });
          codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        }
        for (const { offset, length } of src.reads) {
          expect(length).toBeLessThanOrEqual(file.length);
          expect(offset + length).toBeLessThanOrEqual(file.length);
        }
      }
      // The variants really exercise both outcomes and many distinct rules.
      expect(opened).toBeGreaterThan(50);
      expect(codes.size).toBeGreaterThanOrEqual(12);
      for (const code of ["HEADER_TOO_SMALL", "HEADER_TOO_LARGE", "INVALID_HEADER_LENGTH", "INVALID_JSON", "INCOMPLETE_BUFFER", "INVALID_OFFSET"]) {
        expect(codes.get(code), code).toBeGreaterThan(0);
      }
    },
    30_000,
  );
});
