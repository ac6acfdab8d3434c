import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTernpackError } from "../../src/core/errors.js";
import { verifyGguf, type GgufTensorResult, type VerifyGgufReport } from "../../src/api/verify-gguf.js";
import { openCheckpoint } from "../../formats/safetensors/index.js";
import { absmeanTernarize, unpackHfBitnet } from "../../src/quant/index.js";
import { fixturePath, readJson, sha256 } from "../helpers/fixtures.js";
import { addRepo, addSnapshotFile, commit, tempRoot } from "../hub/fake-cache.js";
import { readGguf, type GgufKvInput } from "../../formats/gguf/index.js";
import {
  absmeanSpec,
  editedCopy,
  f32Tensor,
  packSpec,
  recordedTilingKvs,
  TINY_LLAMA_CONFIG,
  TINY_PROJECTIONS,
  tinyLlamaGgufTensors,
  tinyLlamaWeights,
  u32,
  writeCheckpoint,
  writeGguf,
  writeModelFolder,
  type TernaryTensorSpec,
  type Weights,
} from "./verify-gguf-helpers.js";

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ root, cleanup } = await tempRoot("ternpack-verify-gguf-")));
afterAll(() => cleanup());

const ALL_OK = { codes: { ok: true }, scales: { ok: true }, gemv: { ok: true }, reserved: { ok: true }, scaleValues: { ok: true } };
const TL1 = { BM: 64, BK: 64, bm: 64 };
/** The converter's records for the TL1 tensor; TL2 has none, so it is decoded with the rule's tiling. */
const TL1_KVS = recordedTilingKvs("tl1", ["blk.0.tl1.weight"], TL1);

/** One tensor per ternary layout (TQ2_0 with an all-zero block), TL1 tiled as its KVs say, TL2 by the rule. */
const SPECS: TernaryTensorSpec[] = [
  absmeanSpec("blk.0.tq1.weight", "tq1_0", 4, 256, 11),
  absmeanSpec("blk.0.tq2.weight", "tq2_0", 4, 512, 12, { zero: [256, 512] }),
  absmeanSpec("blk.0.i2s.weight", "i2_s", 4, 256, 13),
  absmeanSpec("blk.0.tl1.weight", "tl1", 64, 128, 14, { tl: TL1 }),
  absmeanSpec("blk.0.tl2.weight", "tl2", 32, 288, 15, { tl: { BM: 32, BK: 96, bm: 32 } }),
];

async function writeAllLayouts(path: string, kv = TL1_KVS): Promise<void> {
  await writeGguf(path, "bitnet", [f32Tensor("blk.0.attn_norm.weight", [256], new Float32Array(256).fill(1)), ...SPECS.map(packSpec)], kv);
}

const byName = (r: VerifyGgufReport, name: string) => r.tensors.find((t) => t.name === name) as GgufTensorResult;
const failing = (r: VerifyGgufReport) => r.tensors.filter((t) => !t.ok).map((t) => t.name);

describe("verifyGguf without a source", () => {
  let file: string;
  beforeAll(async () => {
    file = join(root, "all-layouts.gguf");
    await writeAllLayouts(file);
  });

  it("passes every ternary layout ternpack packs and lists the other tensors as skipped", async () => {
    const r = await verifyGguf(file);
    expect(r.ok).toBe(true);
    expect(r.flavor).toBe("bitnet.cpp");
    expect(r.skipped).toEqual([{ name: "blk.0.attn_norm.weight", type: "F32" }]);
    expect(r.tensors.map((t) => [t.name, t.type, t.layout, t.shape, t.against])).toEqual(
      SPECS.map((s) => [s.name, s.layout.toUpperCase(), s.layout, [s.M, s.K], "payload"]),
    );
    for (const t of r.tensors) expect([t.name, t.checks, t.failure]).toEqual([t.name, ALL_OK, undefined]);
    expect(byName(r, "blk.0.tl1.weight").tiling).toEqual({ params: TL1, source: "gguf" });
    expect(byName(r, "blk.0.tl2.weight").tiling).toEqual({ params: { BM: 32, BK: 96, bm: 32 }, source: "rule" });
  });

  /** [tensor, what is done to its payload, the failure expected (byteOffset: in the payload)]. */
  const CORRUPTIONS: [string, string, (payload: Uint8Array) => void, Record<string, number | string>][] = [
    ["blk.0.tq2.weight", "code byte 70 = 0xff", (p) => (p[70] = 0xff), { check: "codes", row: 0, block: 1, byteOffset: 70 }],
    ["blk.0.tq2.weight", "d = 1.0 in the all-zero block", (p) => p.set([0x00, 0x3c], 130), { check: "scales", row: 0, col: 256, block: 1, byteOffset: 130 }],
    ["blk.0.tq1.weight", "d = 0 in block 2", (p) => p.set([0, 0], 3 * 54 - 2), { check: "scaleValues", row: 2, col: 0, block: 2, byteOffset: 160 }],
    ["blk.0.tq1.weight", "d = -d in block 0", (p) => (p[53] = p[53]! ^ 0x80), { check: "scaleValues", row: 0, col: 0, block: 0, byteOffset: 52 }],
    ["blk.0.i2s.weight", "σ = -σ", (p) => (p[259] = p[259]! ^ 0x80), { check: "scaleValues", byteOffset: 256 }],
    ["blk.0.tl1.weight", "index byte 0 = 0xff", (p) => (p[0] = 0xff), { check: "codes", byteOffset: 0 }],
    // TL2 [32, 288]: L = ⌊⌊32·32/3⌋·5/8⌋ + 256·32/2·4/8 = 213 + 2048 = 2261, scale block at pad32(L) = 2272.
    ["blk.0.tl2.weight", "last reserved byte = 1", (p) => (p[p.length - 1] = 1), { check: "reserved", byteOffset: 2272 + 31 }],
  ];
  for (const [tensor, what, patch, expected] of CORRUPTIONS) {
    it(`${tensor} with ${what} fails alone, at the right place (${expected.check})`, async () => {
      const copy = join(root, `edited-${tensor}-${what.replace(/\W+/g, "_")}.gguf`);
      const gguf = await readGguf(file);
      const info = gguf.tensors.find((t) => t.name === tensor)!;
      await editedCopy(file, copy, (bytes) => patch(bytes.subarray(info.absoluteOffset, info.absoluteOffset + info.nbytes)));
      const r = await verifyGguf(copy);
      expect(r.ok).toBe(false);
      expect(failing(r)).toEqual([tensor]);
      const t = byName(r, tensor);
      expect(t.failure).toMatchObject({ ...expected, fileOffset: info.absoluteOffset + (expected.byteOffset as number) });
      expect(t.checks[t.failure!.check]).toMatchObject({ ok: false });
    });
  }

  it("the failure messages say what is wrong", async () => {
    const copy = join(root, "negative-scale.gguf");
    const base = (await readGguf(file)).tensors.find((t) => t.name === "blk.0.i2s.weight")!.absoluteOffset;
    await editedCopy(file, copy, (bytes) => (bytes[base + 259] = bytes[base + 259]! ^ 0x80));
    expect(byName(await verifyGguf(copy), "blk.0.i2s.weight").failure?.message).toMatch(/^the i2_s tensor scale is negative: -0\.0\d+/);
  });
});

describe("verifyGguf TL tiling", () => {
  it("the tl option wins over the KVs and applies to every TL tensor", async () => {
    const file = join(root, "tl-option.gguf");
    await writeAllLayouts(file);
    const r = await verifyGguf(file, { tl: TL1 });
    expect(byName(r, "blk.0.tl1.weight")).toMatchObject({ ok: true, tiling: { params: TL1, source: "option" } });
    const tl2 = byName(r, "blk.0.tl2.weight");
    expect(tl2.failure).toMatchObject({ check: "tiling", message: expect.stringContaining("LAYOUT_UNSUPPORTED_SHAPE") });
    expect(failing(r)).toEqual(["blk.0.tl2.weight"]);
  });

  it("a malformed tiling record fails the TL tensors of that layout, naming the key", async () => {
    const cases: [[string, GgufKvInput][], string][] = [
      [TL1_KVS.filter(([k]) => k !== "ternpack.tl1.bk"), "ternpack.tl1.bk must be an array, is missing"],
      [TL1_KVS.filter(([k]) => k !== "ternpack.tl1.tensors"), "has ternpack.tl1.bm, ternpack.tl1.bk, ternpack.tl1.bmm but no ternpack.tl1.tensors"],
      [TL1_KVS.map(([k, v]) => [k, k === "ternpack.tl1.bmm" ? u32(64) : v]), "ternpack.tl1.bmm must be an array, has type UINT32"],
    ];
    for (const [i, [kv, message]] of cases.entries()) {
      const file = join(root, `tl-malformed-${i}.gguf`);
      await writeAllLayouts(file, kv);
      const r = await verifyGguf(file);
      expect(failing(r)).toEqual(["blk.0.tl1.weight"]);
      expect(byName(r, "blk.0.tl1.weight").failure).toMatchObject({ check: "tiling", message: expect.stringContaining(message) });
    }
  });

  it("a record for other tensors leaves this one to the preset or rule", async () => {
    const file = join(root, "tl-other.gguf");
    await writeAllLayouts(file, recordedTilingKvs("tl1", ["blk.9.other.weight"], TL1));
    expect(byName(await verifyGguf(file), "blk.0.tl1.weight").tiling).toEqual({ params: { BM: 64, BK: 128, bm: 32 }, source: "rule" });
  });
});

describe("verifyGguf errors", () => {
  it("throws IO_ERROR for a missing file and BAD_MAGIC for a file that is not a GGUF", async () => {
    const missing = await verifyGguf(join(root, "nope.gguf")).catch((e) => e);
    expect(isTernpackError(missing, "IO_ERROR")).toBe(true);
    const good = join(root, "for-magic.gguf");
    const notGguf = join(root, "not.gguf");
    await writeAllLayouts(good);
    await editedCopy(good, notGguf, (b) => (b[0] = 0));
    expect(isTernpackError(await verifyGguf(notGguf).catch((e) => e), "BAD_MAGIC")).toBe(true);
  });
});

describe("verifyGguf against the source model", () => {
  let weights: Weights;
  let folder: string;
  beforeAll(async () => {
    weights = tinyLlamaWeights();
    folder = join(root, "tiny-llama");
    await writeModelFolder(folder, weights);
  });

  for (const layout of ["tq2_0", "i2_s"] as const) {
    it(`${layout}: codes and scales equal the converter's rule for every projection`, async () => {
      const file = join(root, `tiny-${layout}.gguf`);
      await writeGguf(file, "llama", tinyLlamaGgufTensors(weights, layout));
      const r = await verifyGguf(file, { source: folder });
      expect(r.source).toBe(folder);
      expect(r.skipped.map((t) => t.name)).toEqual(["token_embd.weight", "output_norm.weight", "blk.0.attn_norm.weight", "blk.0.ffn_norm.weight"]);
      expect(r.tensors.map((t) => [t.name, t.against, t.source?.source, t.source?.from])).toEqual(
        TINY_PROJECTIONS.map((p) => [p.gguf, "source", p.hf, p.ternaryTimes === undefined ? "absmean" : "detected"]),
      );
      for (const t of r.tensors) expect([t.name, t.checks]).toEqual([t.name, ALL_OK]);
      expect(byName(r, "blk.0.attn_v.weight").source?.sigma).toBe(Math.fround(0.02));
      expect(r.ok).toBe(true);
    });
  }

  it("tl1: decoded with the tiling its KVs record; without them the rule's tiling reads other codes", async () => {
    const tiling = { BM: 128, BK: 64, bm: 32 }; // the rule would take BM = 256 / 128, BK = 128
    const tensors = tinyLlamaGgufTensors(weights, "tl1", { tl: tiling });
    const kvs = recordedTilingKvs("tl1", TINY_PROJECTIONS.map((p) => p.gguf), tiling);
    const recorded = join(root, "tiny-tl1.gguf");
    const unrecorded = join(root, "tiny-tl1-no-kv.gguf");
    await writeGguf(recorded, "llama", tensors, kvs);
    await writeGguf(unrecorded, "llama", tensors);
    const ok = await verifyGguf(recorded, { source: folder });
    expect(ok.ok).toBe(true);
    expect(ok.tensors.map((t) => t.tiling)).toEqual(TINY_PROJECTIONS.map(() => ({ params: tiling, source: "gguf" })));
    const bad = await verifyGguf(unrecorded, { source: folder });
    expect(bad.tensors.map((t) => [t.tiling?.source, t.failure?.check])).toEqual(TINY_PROJECTIONS.map(() => ["rule", "codes"]));
    expect((await verifyGguf(unrecorded, { source: folder, tl: tiling })).ok).toBe(true);
  });

  it("a GGUF written without llama.cpp's q/k permutation fails on attn_q and attn_k only", async () => {
    const file = join(root, "tiny-unpermuted.gguf");
    await writeGguf(file, "llama", tinyLlamaGgufTensors(weights, "tq2_0", { permute: false }));
    const r = await verifyGguf(file, { source: folder });
    expect(failing(r)).toEqual(["blk.0.attn_q.weight", "blk.0.attn_k.weight"]);
    expect(r.tensors.filter((t) => !t.ok).map((t) => t.failure?.check)).toEqual(["codes", "codes"]);
  });

  it("a source weight whose code flips fails that tensor, naming the element", async () => {
    const file = join(root, "tiny-before-edit.gguf");
    await writeGguf(file, "llama", tinyLlamaGgufTensors(weights, "tq2_0"));
    const up = weights["model.layers.0.mlp.up_proj.weight"]!;
    const edited = up.values.slice();
    const codes = absmeanTernarize(up.values, up.shape, { granularity: "tensor" }).codes;
    const i = codes.indexOf(1, 1000); // flipping the sign keeps mean|W|, so only this code changes: +1 → -1
    edited[i] = -edited[i]!;
    const editedFolder = join(root, "tiny-llama-edited");
    await writeModelFolder(editedFolder, { ...weights, "model.layers.0.mlp.up_proj.weight": { shape: up.shape, values: edited } });
    const r = await verifyGguf(file, { source: editedFolder });
    expect(failing(r)).toEqual(["blk.0.ffn_up.weight"]);
    const t = byName(r, "blk.0.ffn_up.weight");
    expect(t.failure).toMatchObject({ check: "codes", row: Math.floor(i / 256), col: i % 256, block: Math.floor(i / 256) });
    expect(t.failure?.message).toContain(`1 code(s) differ; first at row ${Math.floor(i / 256)}, column ${i % 256}: payload holds 1, expected -1`);
    expect(t.checks.scales).toEqual({ ok: true });
  });

  it("finds the source by repo id in the Hugging Face cache (snapshot files are symlinks into blobs/)", async () => {
    const cache = join(root, "hf-cache");
    const repo = await addRepo(cache, "ternpack-test/tiny-llama", { refs: { main: commit(9) } });
    await addSnapshotFile(repo, commit(9), "config.json", new TextEncoder().encode(JSON.stringify(TINY_LLAMA_CONFIG)));
    await addSnapshotFile(repo, commit(9), "model.safetensors", await readFile(join(folder, "model.safetensors")));
    const file = join(root, "tiny-cached.gguf");
    await writeGguf(file, "llama", tinyLlamaGgufTensors(weights, "tq1_0"));
    const r = await verifyGguf(file, { source: "ternpack-test/tiny-llama", env: { HF_HUB_CACHE: cache } });
    expect(r.source).toBe(join(repo, "snapshots", commit(9)));
    expect(r.tensors).toHaveLength(TINY_PROJECTIONS.length);
    expect(r.ok).toBe(true);
  });

  it("a ternary tensor the source has no counterpart for fails its source step; the others pass", async () => {
    const file = join(root, "tiny-extra.gguf");
    const extra = packSpec(absmeanSpec("blk.0.extra.weight", "tq2_0", 2, 256, 5));
    await writeGguf(file, "llama", [...tinyLlamaGgufTensors(weights, "tq2_0"), extra]);
    const r = await verifyGguf(file, { source: folder });
    expect(failing(r)).toEqual(["blk.0.extra.weight"]);
    expect(byName(r, "blk.0.extra.weight").failure).toMatchObject({ check: "source", message: expect.stringContaining("TENSOR_NOT_FOUND") });
  });

  it("a source folder without config.json is an IO_ERROR that says why it is needed", async () => {
    const bare = join(root, "no-config");
    await mkdir(bare, { recursive: true });
    await writeCheckpoint(join(bare, "model.safetensors"), weights);
    const e = await verifyGguf(join(root, "never-read.gguf"), { source: bare }).catch((x) => x); // the source is opened first
    expect(isTernpackError(e, "IO_ERROR")).toBe(true);
    expect(e.message).toContain("needs its config.json");
  });
});

describe("verifyGguf against an HF packed (offline) BitNet checkpoint", () => {
  it("bitnet-synth-2b4t-packed: TQ2_0 from transformers' trits and weight_scale passes; codes come from 'hf-packed'", async () => {
    const folder = fixturePath("models", "bitnet-synth-2b4t-packed");
    const ref: Record<string, PackedReference> = readJson("models", "bitnet-synth-2b4t-packed", "reference", "ternary_reference.json").linears;
    const checkpoint = await openCheckpoint(folder);
    const tensors = [];
    try {
      for (const [gguf, r] of Object.entries(ref)) {
        const [M, K] = r.unpacked_shape_out_in;
        const { codes } = unpackHfBitnet((await checkpoint.readTyped(r.hf_tensor)) as Uint8Array, r.packed_shape, { outFeatures: M });
        expect([gguf, sha256(new Uint8Array(codes.buffer))]).toEqual([gguf, r.trits_int8_rowmajor_sha256]); // = transformers' unpack_weights
        tensors.push(packSpec({ name: gguf, layout: "tq2_0", M, K, codes, sigma: r.weight_scale_bf16 })); // autobitlinear: σ = weight_scale
      }
    } finally {
      await checkpoint.close();
    }
    const file = join(root, "synth-2b4t-packed.gguf");
    await writeGguf(file, "bitnet", tensors);
    const report = await verifyGguf(file, { source: folder });
    expect(report.tensors.map((t) => [t.name, t.source?.from, t.source?.sigma])).toEqual(Object.entries(ref).map(([g, r]) => [g, "hf-packed", r.weight_scale_bf16]));
    expect(report.tensors.filter((t) => !t.ok)).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

interface PackedReference {
  hf_tensor: string;
  packed_shape: [number, number];
  unpacked_shape_out_in: [number, number];
  weight_scale_bf16: number;
  trits_int8_rowmajor_sha256: string;
}
