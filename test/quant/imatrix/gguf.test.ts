import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferSource, withFileSource } from "../../../src/core/io.js";
import { GGML_TYPE, GGUF_VALUE_TYPE, readGguf, readTensorData, writeGgufFile, type GgufKvInput, type GgufTensorInput } from "../../../formats/gguf/index.js";
import {
  ImatrixCollector,
  importGgufImatrix,
  importLegacyImatrix,
  readImatrix,
  writeGgufImatrix,
  type ImportanceMatrix,
} from "../../../src/quant/imatrix/index.js";
import { fixturePath, readFixture, readJson } from "../../helpers/fixtures.js";
import { expectRejection, legacyBytes, tempDir } from "./helpers.js";

interface Expected {
  datasets: string[];
  chunkCount: number;
  chunkSize: number;
  entries: Record<string, { columns: number; matrices: number; tokens: number[]; mean: number[] }>;
}

const FIXTURE = fixturePath("imatrix", "gguf-py-imatrix.gguf");
const dir = tempDir();

describe("GGUF imatrix written by gguf-py in llama.cpp's layout", () => {
  const expected = readJson<Expected>("imatrix", "gguf-py-imatrix.expected.json");

  it("means equal numpy's f32 in_sum2 / counts (1 where a count is 0); the .in_sum tensor is ignored", async () => {
    const m = await importGgufImatrix(FIXTURE);
    expect([...m.entries.keys()]).toEqual(Object.keys(expected.entries));
    for (const [name, e] of Object.entries(expected.entries)) {
      const got = m.entries.get(name)!;
      expect([name, got.columns, got.matrices, Array.from(got.tokens!)]).toEqual([name, e.columns, e.matrices, e.tokens]);
      expect([name, Array.from(got.mean)]).toEqual([name, e.mean]);
    }
    expect(m.provenance).toEqual({
      sourceFile: FIXTURE,
      datasets: expected.datasets,
      chunkCount: expected.chunkCount,
      chunkSize: expected.chunkSize,
      tokens: 512,
      format: "gguf",
    });
  });

  it("readImatrix detects GGUF by its magic and legacy files otherwise", async () => {
    expect((await readImatrix(FIXTURE)).provenance.format).toBe("gguf");
    const legacy = join(dir, "old.dat");
    writeFileSync(legacy, legacyBytes([{ name: "blk.0.attn_k.weight", ncall: 2, values: [3, 5] }], { lastCall: 2, dataset: "c.txt" }));
    const m = await readImatrix(legacy);
    expect([m.provenance.format, m.provenance.sourceFile, Array.from(m.entries.get("blk.0.attn_k.weight")!.mean)]).toEqual(["legacy", legacy, [1.5, 2.5]]);
  });
});

/** Two calls of 3 and 2 rows on a K = 4 weight, 1 row on a K = 3 weight. */
function collected(): ImportanceMatrix {
  const c = new ImatrixCollector({ datasets: ["calib.txt"], chunkSize: 64 });
  c.accumulate("blk.0.attn_q.weight", Float32Array.of(0.1, 2, -3, 0.7, 1, 1, 1, 1, 0.3, -0.2, 5, 9), 4);
  c.accumulate("blk.0.attn_q.weight", Float32Array.of(1.25, 0, 0, 3, 2, 2, 2, 2), 4);
  c.accumulate("blk.0.ffn_down.weight", Float32Array.of(7, 0.5, -1), 3);
  c.endChunk();
  return c.finish();
}

describe("writeGgufImatrix", () => {
  it("writes llama.cpp's layout: general.type, the three imatrix keys, in_sum2 [K] and counts [1] as F32", async () => {
    const path = join(dir, "ours.gguf");
    await writeGgufImatrix(path, collected());
    await withFileSource(path, async (src) => {
      const g = await readGguf(src);
      expect([...g.kv].map(([k, v]) => [k, v.type])).toEqual([
        ["general.type", GGUF_VALUE_TYPE.STRING],
        ["imatrix.datasets", GGUF_VALUE_TYPE.ARRAY],
        ["imatrix.chunk_count", GGUF_VALUE_TYPE.UINT32],
        ["imatrix.chunk_size", GGUF_VALUE_TYPE.UINT32],
      ]);
      expect([g.kv.get("general.type")!.value, g.kv.get("imatrix.chunk_count")!.value, g.kv.get("imatrix.chunk_size")!.value]).toEqual(["imatrix", 1, 64]);
      expect(g.tensors.map((t) => [t.name, t.typeName, t.dims])).toEqual([
        ["blk.0.attn_q.weight.in_sum2", "F32", [4]],
        ["blk.0.attn_q.weight.counts", "F32", [1]],
        ["blk.0.ffn_down.weight.in_sum2", "F32", [3]],
        ["blk.0.ffn_down.weight.counts", "F32", [1]],
      ]);
      const counts = await readTensorData(src, g.tensors[1]!);
      expect(new DataView(counts.buffer, counts.byteOffset).getFloat32(0, true)).toBe(5);
      // in_sum2 holds the float64 Σx² of the five rows, rounded to f32 once
      const sums = await readTensorData(src, g.tensors[0]!);
      const col0 = [0.1, 1, 0.3, 1.25, 2].reduce((s, v) => s + Math.fround(v) ** 2, 0);
      expect(new DataView(sums.buffer, sums.byteOffset).getFloat32(0, true)).toBe(Math.fround(Math.fround(col0 / 5) * 5));
    });
  });

  it("round trip: re-imported means are f32(f32(mean × tokens) / tokens), tokens and provenance kept", async () => {
    const path = join(dir, "roundtrip.gguf");
    const m = collected();
    await writeGgufImatrix(path, m);
    const back = await importGgufImatrix(path);
    for (const [name, e] of m.entries) {
      const t = e.tokens![0]!;
      expect([name, Array.from(back.entries.get(name)!.mean)]).toEqual([name, Array.from(e.mean, (v) => Math.fround(Math.fround(v * t) / t))]);
      expect(Array.from(back.entries.get(name)!.tokens!)).toEqual([t]);
    }
    expect(back.provenance).toMatchObject({ datasets: ["calib.txt"], chunkCount: 1, chunkSize: 64, tokens: 5, format: "gguf" });
  });

  it("legacy entries (no token counts) are written with counts 1, so their means survive exactly", async () => {
    const legacy = importLegacyImatrix(legacyBytes([{ name: "blk.1.attn_v.weight", ncall: 7, values: [0.1, 3, 11] }], { lastCall: 7, dataset: "x.txt" }));
    const path = join(dir, "from-legacy.gguf");
    await writeGgufImatrix(path, legacy);
    const back = await importGgufImatrix(path);
    const before = legacy.entries.get("blk.1.attn_v.weight")!.mean;
    expect(Array.from(back.entries.get("blk.1.attn_v.weight")!.mean)).toEqual(Array.from(before));
    expect(Array.from(back.entries.get("blk.1.attn_v.weight")!.tokens!)).toEqual([1]);
  });

  it("stacked experts are written as [K, n_mat] and [1, n_mat] and read back per matrix", async () => {
    const source = await importGgufImatrix(FIXTURE);
    const path = join(dir, "experts.gguf");
    await writeGgufImatrix(path, source);
    const g = await readGguf(path);
    expect(g.tensors.filter((t) => t.name.startsWith("blk.0.ffn_up_exps")).map((t) => t.dims)).toEqual([[8, 2], [1, 2]]);
    const back = await importGgufImatrix(path);
    // expert 1 had count 0: its means (1) are written with count 0 and read back as 1 again
    expect(Array.from(back.entries.get("blk.0.ffn_up_exps.weight")!.mean.subarray(8))).toEqual(new Array(8).fill(1));
  });

  it("refuses to write without a dataset name or without entries (USAGE)", async () => {
    const m = collected();
    await expectRejection(writeGgufImatrix(join(dir, "x.gguf"), { ...m, provenance: { ...m.provenance, datasets: [] } }), "USAGE", "dataset");
    await expectRejection(writeGgufImatrix(join(dir, "y.gguf"), { ...m, entries: new Map() }), "USAGE", "no entries");
  });
});

const f32 = (...v: number[]) => new Uint8Array(Float32Array.of(...v).buffer);
const KV: [string, GgufKvInput][] = [
  ["general.type", { type: GGUF_VALUE_TYPE.STRING, value: "imatrix" }],
  ["imatrix.datasets", { type: GGUF_VALUE_TYPE.ARRAY, value: { elementType: GGUF_VALUE_TYPE.STRING, values: ["d.txt"] } }],
  ["imatrix.chunk_count", { type: GGUF_VALUE_TYPE.UINT32, value: 1 }],
  ["imatrix.chunk_size", { type: GGUF_VALUE_TYPE.UINT32, value: 8 }],
];
const SUMS: GgufTensorInput = { name: "w.in_sum2", type: GGML_TYPE.F32, dims: [2], data: f32(4, 6) };
const COUNTS: GgufTensorInput = { name: "w.counts", type: GGML_TYPE.F32, dims: [1], data: f32(2) };

async function importWritten(kv: [string, GgufKvInput][], tensors: GgufTensorInput[]): Promise<ImportanceMatrix> {
  const path = join(dir, `bad-${Math.random().toString(36).slice(2)}.gguf`);
  await writeGgufFile(path, { kv, tensors });
  return importGgufImatrix(path);
}

describe("malformed GGUF imatrix files", () => {
  it("the hand-made minimal file is valid (the cases below each break one thing)", async () => {
    expect(Array.from((await importWritten(KV, [SUMS, COUNTS])).entries.get("w")!.mean)).toEqual([2, 3]);
  });

  it("truncated files → TRUNCATED (header) or OUT_OF_BOUNDS (tensor data)", async () => {
    const bytes = readFixture("imatrix", "gguf-py-imatrix.gguf");
    await expectRejection(importGgufImatrix(bufferSource(bytes.subarray(0, 100), "cut.gguf")), "TRUNCATED", "cut.gguf");
    await expectRejection(importGgufImatrix(bufferSource(bytes.subarray(0, bytes.length - 4), "short.gguf")), "OUT_OF_BOUNDS", "in_sum");
  });

  it("NaN sums → NON_FINITE; negative counts or sums → INVALID_VALUE", async () => {
    await expectRejection(importWritten(KV, [{ ...SUMS, data: f32(1, NaN) }, COUNTS]), "NON_FINITE", "in_sum2[1] is NaN", "w.in_sum2");
    await expectRejection(importWritten(KV, [SUMS, { ...COUNTS, data: f32(-3) }]), "INVALID_VALUE", "counts[0] is -3", "w.counts");
    await expectRejection(importWritten(KV, [{ ...SUMS, data: f32(-1, 2) }, COUNTS]), "INVALID_VALUE", "in_sum2[0] is -1");
  });

  it("a sums tensor without counts → TENSOR_NOT_FOUND; no entries at all → INVALID_VALUE", async () => {
    await expectRejection(importWritten(KV, [SUMS]), "TENSOR_NOT_FOUND", "w.counts");
    await expectRejection(importWritten(KV, [{ ...SUMS, name: "w.other" }]), "INVALID_VALUE", "no entries");
  });

  it("non-F32 tensors → UNSUPPORTED_DTYPE; counts not matching n_mat → SHAPE_MISMATCH", async () => {
    const f16 = { ...SUMS, type: GGML_TYPE.F16, data: new Uint8Array(4) };
    await expectRejection(importWritten(KV, [f16, COUNTS]), "UNSUPPORTED_DTYPE", "F16");
    const twoMats = { ...SUMS, dims: [1, 2] };
    await expectRejection(importWritten(KV, [twoMats, COUNTS]), "SHAPE_MISMATCH", "expected [1, 2]");
  });

  it("missing or mistyped imatrix keys → INVALID_VALUE; a model GGUF → UNKNOWN_FORMAT", async () => {
    await expectRejection(importWritten(KV.slice(0, 3), [SUMS, COUNTS]), "INVALID_VALUE", "imatrix.chunk_size", "missing");
    const wrong: [string, GgufKvInput] = ["imatrix.chunk_count", { type: GGUF_VALUE_TYPE.INT32, value: 1 }];
    await expectRejection(importWritten([KV[0]!, KV[1]!, wrong, KV[3]!], [SUMS, COUNTS]), "INVALID_VALUE", "must be UINT32");
    const model: [string, GgufKvInput] = ["general.type", { type: GGUF_VALUE_TYPE.STRING, value: "model" }];
    await expectRejection(importWritten([model, ...KV.slice(1)], [SUMS, COUNTS]), "UNKNOWN_FORMAT", "'model'");
  });

  it("readImatrix on a short non-GGUF file reports a truncated legacy file", async () => {
    const path = join(dir, "tiny.dat");
    writeFileSync(path, new Uint8Array([1, 0]));
    await expectRejection(readImatrix(path), "TRUNCATED", "n_entries");
  });
});
