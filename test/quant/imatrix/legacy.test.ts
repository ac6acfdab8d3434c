import { describe, expect, it } from "vitest";
import { importLegacyImatrix } from "../../../src/quant/imatrix/index.js";
import { expectError, legacyBytes, type LegacyEntry } from "./helpers.js";

const Q: LegacyEntry = { name: "blk.0.attn_q.weight", ncall: 3, values: [0.3, 1.5, 0, 7.25] };
const DOWN: LegacyEntry = { name: "blk.0.ffn_down.weight", ncall: 10, values: [2, 4, 6] };

/** llama-quantize's loader: v /= ncall on f32 values (ncall converted to float). */
const legacyMean = (e: LegacyEntry) => e.values.map((v) => Math.fround(Math.fround(v) / e.ncall));

describe("legacy imatrix.dat import", () => {
  it("divides the stored values by ncall and keeps names, calls and the trailer", () => {
    const m = importLegacyImatrix(legacyBytes([Q, DOWN], { lastCall: 12, dataset: "wiki.train.raw" }), "old.dat");
    expect([...m.entries.keys()]).toEqual([Q.name, DOWN.name]);
    const q = m.entries.get(Q.name)!;
    expect(Array.from(q.mean)).toEqual(legacyMean(Q));
    expect([q.columns, q.matrices, q.calls, q.tokens]).toEqual([4, 1, 3, undefined]);
    expect(Array.from(m.entries.get(DOWN.name)!.mean)).toEqual([0.2, 0.4, 0.6].map(Math.fround));
    expect(m.provenance).toEqual({
      sourceFile: "old.dat",
      datasets: ["wiki.train.raw"],
      chunkCount: 12,
      chunkSize: undefined,
      tokens: undefined,
      format: "legacy",
    });
  });

  it("reads files without a trailer and with only last_call (older writers)", () => {
    const bare = importLegacyImatrix(legacyBytes([Q]));
    expect([bare.provenance.chunkCount, bare.provenance.datasets]).toEqual([undefined, []]);
    const old = importLegacyImatrix(legacyBytes([Q], { lastCall: 5 }));
    expect([old.provenance.chunkCount, old.provenance.datasets]).toEqual([5, []]);
    expect(Array.from(old.entries.get(Q.name)!.mean)).toEqual(legacyMean(Q));
  });

  it("leaves values undivided when ncall is 0, as llama-quantize does", () => {
    const m = importLegacyImatrix(legacyBytes([{ ...Q, ncall: 0 }]));
    expect(Array.from(m.entries.get(Q.name)!.mean)).toEqual(Q.values.map(Math.fround));
  });
});

describe("malformed legacy files", () => {
  const good = legacyBytes([Q, DOWN], { lastCall: 12, dataset: "wiki.train.raw" });
  // offsets in `good`: 0 n_entries, 4 name length, 8 name (19 bytes), 27 ncall, 31 nval, 35 values
  const cuts: [string, number][] = [
    ["inside n_entries", 2],
    ["inside the first name", 12],
    ["inside the first values", 40],
    ["inside the dataset name", good.length - 3],
  ];
  for (const [where, at] of cuts) {
    it(`truncated ${where} → TRUNCATED`, () => {
      expectError(() => importLegacyImatrix(good.subarray(0, at), "cut.dat"), "TRUNCATED", "cut.dat");
    });
  }

  it("a trailer cut inside the dataset length → TRUNCATED", () => {
    const noTrailer = legacyBytes([Q, DOWN]).length;
    expectError(() => importLegacyImatrix(good.subarray(0, noTrailer + 6)), "TRUNCATED", "dataset name length");
  });

  it("an n_entries larger than the file can hold → TRUNCATED before reading entries", () => {
    const bytes = legacyBytes([Q]);
    new DataView(bytes.buffer).setInt32(0, 1_000_000, true);
    expectError(() => importLegacyImatrix(bytes), "TRUNCATED", "1000000 entries");
  });

  it("no entries → INVALID_VALUE", () => {
    expectError(() => importLegacyImatrix(legacyBytes([])), "INVALID_VALUE", "n_entries is 0");
  });

  it("negative ncall, nval or name length → INVALID_VALUE", () => {
    expectError(() => importLegacyImatrix(legacyBytes([{ ...Q, ncall: -1 }])), "INVALID_VALUE", "ncall is -1", Q.name);
    const bytes = legacyBytes([Q]);
    new DataView(bytes.buffer).setInt32(31, -4, true);
    expectError(() => importLegacyImatrix(bytes), "INVALID_VALUE", "nval is -4");
    new DataView(bytes.buffer).setInt32(4, -2, true);
    expectError(() => importLegacyImatrix(bytes), "INVALID_VALUE", "name length of entry #0 is -2");
  });

  it("NaN or infinite values → NON_FINITE with the byte offset; negative → INVALID_VALUE", () => {
    const nan = expectError(() => importLegacyImatrix(legacyBytes([{ ...Q, values: [1, NaN] }])), "NON_FINITE", "value[1] is NaN");
    expect([nan.tensor, nan.offset]).toEqual([Q.name, 39]);
    expectError(() => importLegacyImatrix(legacyBytes([{ ...Q, values: [Infinity] }])), "NON_FINITE", "Infinity");
    expectError(() => importLegacyImatrix(legacyBytes([{ ...Q, values: [1, -0.5] }])), "INVALID_VALUE", "value[1] is -0.5");
  });

  it("a repeated name → DUPLICATE_TENSOR; junk after the trailer → INVALID_VALUE; bad UTF-8 → INVALID_UTF8", () => {
    expectError(() => importLegacyImatrix(legacyBytes([Q, Q])), "DUPLICATE_TENSOR", Q.name);
    const junk = new Uint8Array([...good, 1, 2]);
    expectError(() => importLegacyImatrix(junk), "INVALID_VALUE", "2 unexpected bytes");
    const bad = legacyBytes([Q]);
    bad[8] = 0xff;
    expectError(() => importLegacyImatrix(bad), "INVALID_UTF8", "name of entry #0");
  });
});
