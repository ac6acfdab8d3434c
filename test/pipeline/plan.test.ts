/**
 * The header-only plan (dryRun): the tensor table is planTensors' one, sizes are the GGUF size
 * formulas, offsets follow the exact-offset rule, the file written later has exactly this layout,
 * fallbacks are listed with their reason, and no tensor byte is read.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convert, planConversion } from "../../src/api/convert.js";
import { openFileSource, type ByteSource } from "../../src/core/io.js";
import { alignUp } from "../../formats/gguf/align.js";
import { readGguf } from "../../formats/gguf/reader.js";
import { ggmlTensorBytes } from "../../formats/gguf/tensor-bytes.js";
import { GGML_TYPE } from "../../formats/gguf/ggml-types.js";
import { openCheckpoint } from "../../formats/safetensors/index.js";
import { parseModelConfig } from "../../src/model/config.js";
import { planTensors } from "../../src/model/tensor-map.js";
import { readJson } from "../helpers/fixtures.js";
import { model, TINYSTORIES, useTempDir } from "./helpers.js";

const tmp = useTempDir();

/** An openSource that records every read, and the header end (8 + N) of each file it opens. */
function countingOpener() {
  const reads: { path: string; offset: number; length: number }[] = [];
  const headerEnd = new Map<string, number>();
  const open = async (path: string): Promise<ByteSource> => {
    const src = await openFileSource(path);
    const prefix = await src.read(0, 8); // the header length, read before counting starts
    headerEnd.set(path, 8 + Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true)));
    return {
      name: src.name,
      size: src.size,
      read: (offset, length) => (reads.push({ path, offset, length }), src.read(offset, length)),
      close: () => src.close(),
    };
  };
  return { open, reads, headerEnd };
}

describe("dry-run plan", () => {
  it("TinyStories: planTensors' table, GGUF sizes, exact offsets, no tensor bytes read", async () => {
    const counter = countingOpener();
    const result = await convert({ input: TINYSTORIES, dryRun: true, method: "none", keepType: "f16", openSource: counter.open });
    const { plan } = result;
    expect(result.dryRun).toBe(true);
    expect(result.files).toEqual([]);

    const checkpoint = await openCheckpoint(TINYSTORIES);
    const expected = planTensors(parseModelConfig(readJson("tinystories-656k", "config.json")), checkpoint.tensors, { aliases: checkpoint.aliases });
    await checkpoint.close();
    expect(plan.tensors.map((t) => [t.name, t.source, t.shape, t.dims])).toEqual(expected.entries.map((e) => [e.gguf, e.source, e.shape, e.dims]));

    let offset = 0;
    for (const t of plan.tensors) {
      expect(t.ggmlType).toBe(t.shape.length === 1 ? GGML_TYPE.F32 : GGML_TYPE.F16);
      expect(t.nbytes).toBe(ggmlTensorBytes(t.ggmlType, t.dims));
      expect(t.offset).toBe(offset);
      expect(t.absoluteOffset).toBe(plan.shards[0]!.dataOffset + offset);
      offset += alignUp(t.nbytes, 32);
    }
    expect(plan.shards).toHaveLength(1);
    expect(plan.shards[0]!.fileSize).toBe(plan.shards[0]!.dataOffset + offset);
    expect(plan.totals.fileBytes).toBe(plan.shards[0]!.fileSize);
    expect(plan.bitsPerWeight.overall).toBeCloseTo((8 * plan.totals.tensorBytes) / 656_000, 12);

    expect(counter.reads.length).toBeGreaterThan(0);
    for (const r of counter.reads) expect(r.offset + r.length).toBeLessThanOrEqual(counter.headerEnd.get(r.path)!);
  });

  it("the written file has exactly the planned layout", async () => {
    const output = join(await tmp(), "t.gguf");
    const plan = await planConversion({ input: TINYSTORIES, output, target: "bitnet.cpp" });
    await convert({ input: TINYSTORIES, output, target: "bitnet.cpp", workers: 0 });
    const gguf = await readGguf(output);
    expect(gguf.dataOffset).toBe(plan.shards[0]!.dataOffset);
    expect(gguf.fileSize).toBe(plan.totals.fileBytes);
    expect(gguf.tensors.map((t) => [t.name, t.type, t.offset, t.nbytes])).toEqual(plan.tensors.map((t) => [t.name, t.ggmlType, t.offset, t.nbytes]));
  });

  it("TinyStories → I2_S: every projection ternary, bits per weight over them and overall", async () => {
    const { plan } = await convert({ input: TINYSTORIES, dryRun: true, target: "bitnet.cpp" });
    const ternary = plan.tensors.filter((t) => t.ternaryLayout);
    expect(ternary.map((t) => t.name)).toEqual(plan.tensors.filter((t) => t.role === "ternary").map((t) => t.name));
    expect(ternary).toHaveLength(14);
    const n = ternary.reduce((s, t) => s + t.shape[0]! * t.shape[1]!, 0);
    const bytes = ternary.reduce((s, t) => s + (t.shape[0]! * t.shape[1]!) / 4 + 32, 0);
    expect(plan.bitsPerWeight.ternary).toBeCloseTo((8 * bytes) / n, 12);
    expect(plan.tensors.find((t) => t.name === "token_embd.weight")!.typeName).toBe("F16");
    expect(plan.fileType).toBe(40);
  });

  it("TinyStories → TQ2_0: rows of 128/384 cannot be TQ, every projection falls back to F16 with the reason", async () => {
    const { plan } = await convert({ input: TINYSTORIES, dryRun: true });
    expect(plan.fallbacks).toHaveLength(14);
    for (const f of plan.fallbacks) {
      expect(f.layout).toBe("f16");
      expect(f.wanted).toBe("tq2_0");
      expect(f.reason).toMatch(/256/);
    }
    const fallbackWarnings = plan.warnings.filter((w) => w.includes("instead of TQ2_0"));
    expect(fallbackWarnings).toHaveLength(1);
    expect(fallbackWarnings[0]).toMatch(/^14 tensor\(s\) stored as F16 instead of TQ2_0/);
    for (const f of plan.fallbacks) expect(fallbackWarnings[0]).toContain(f.tensor);
    expect(plan.bitsPerWeight.ternary).toBeUndefined();
  });

  it("fallback q8_0 stores those tensors as Q8_0; fallback error refuses, naming the tensor", async () => {
    const { plan } = await convert({ input: TINYSTORIES, dryRun: true, fallback: "q8_0" });
    expect(new Set(plan.fallbacks.map((f) => f.layout))).toEqual(new Set(["q8_0"]));
    expect(plan.tensors.filter((t) => t.typeName === "Q8_0")).toHaveLength(14);
    await expect(convert({ input: TINYSTORIES, dryRun: true, fallback: "error" })).rejects.toMatchObject({
      code: "LAYOUT_UNSUPPORTED_SHAPE",
      tensor: "blk.0.ffn_down.weight",
    });
  });

  it("keepType applies to token_embd (and dense tensors); norms stay F32; projections stay ternary", async () => {
    const { plan } = await convert({ input: model("bitnet-synth-1bitllm"), dryRun: true, keepType: "q8_0" });
    const types = new Map(plan.tensors.map((t) => [t.name, t.typeName]));
    expect(types.get("token_embd.weight")).toBe("Q8_0");
    expect(types.get("output_norm.weight")).toBe("F32");
    expect(types.get("blk.0.ffn_sub_norm.weight")).toBe("F32");
    expect(types.get("blk.0.attn_q.weight")).toBe("TQ2_0");
    expect(plan.fileType).toBe(37);
  });

  it("TL2: each tensor's resolved tiling and its source are in the plan and in the KVs", async () => {
    const { plan } = await convert({ input: model("bitnet-synth-1bitllm"), dryRun: true, target: "bitnet.cpp", layout: "tl2", tl: { BM: 128, BK: 96, bm: 32 } });
    const tl = plan.tensors.filter((t) => t.tl);
    expect(tl).toHaveLength(14);
    for (const t of tl) expect(t.tl).toEqual({ params: { BM: 128, BK: 96, bm: 32 }, source: "explicit" });
    const kv = new Map(plan.shards[0]!.kv.map((k) => [k.key, k]));
    expect(kv.get("ternpack.tl2.tensors")?.value).toEqual({ elementType: 8, values: tl.map((t) => t.name) });
    expect(kv.get("ternpack.tl2.bm")?.value).toEqual({ elementType: 4, values: tl.map(() => 128) });
    expect(kv.get("ternpack.tl2.source")?.value).toEqual({ elementType: 8, values: tl.map(() => "explicit") });
    expect(plan.shards[0]!.kv.at(-1)?.key).toBe("general.quantization_version");
  });

  it("rejects inconsistent options before opening anything", async () => {
    const usage = { code: "USAGE" };
    await expect(convert({ input: TINYSTORIES, dryRun: true, layout: "i2_s" })).rejects.toMatchObject(usage);
    await expect(convert({ input: TINYSTORIES, dryRun: true, target: "bitnet.cpp", layout: "tq2_0" })).rejects.toMatchObject(usage);
    await expect(convert({ input: TINYSTORIES, dryRun: true, tl: { BM: 128, BK: 64, bm: 32 } })).rejects.toMatchObject(usage);
    await expect(convert({ input: TINYSTORIES, dryRun: true, workers: -1 })).rejects.toMatchObject(usage);
    await expect(convert({ input: TINYSTORIES, dryRun: true, splitMaxBytes: 0 })).rejects.toMatchObject(usage);
    await expect(convert({ input: TINYSTORIES })).rejects.toMatchObject(usage);
  });
});
