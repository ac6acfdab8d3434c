/**
 * Importance-matrix collection over the forward pass: blk.0's attention inputs checked against an
 * attn_norm computed directly here (layer 0's input is the token embedding, whatever the
 * position), BitNet sub-norm placement checked through the RMS identity mean((z/w)²) ≈ 1, chunking
 * and maxTokens, and a GGUF save / re-read round trip.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectImatrix } from "../../src/api/calibrate.js";
import { collectModelImatrix } from "../../src/eval/calibrate.js";
import { loadSafetensorsModel } from "../../src/eval/load-safetensors.js";
import { BpeTokenizer } from "../../src/eval/tokenizer.js";
import { readImatrix, writeGgufImatrix } from "../../src/quant/imatrix/index.js";
import { fixturePath, readJson } from "../helpers/fixtures.js";
import { bitnetFolder, TINYSTORIES_FOLDER } from "./references.js";

const TEXT = readFileSync(fixturePath("eval", "tinystories-656k", "eval.txt"), "utf8");
const PROJECTIONS = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"];
const dirs: string[] = [];

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-12));
  return worst;
}

describe("collectImatrix on TinyStories-656K", async () => {
  const m = await collectImatrix({ model: TINYSTORIES_FOLDER, text: TEXT, datasets: ["eval.txt"] });
  const model = await loadSafetensorsModel(TINYSTORIES_FOLDER);
  const ids = BpeTokenizer.fromTokenizerJson(readFileSync(fixturePath("tinystories-656k", "tokenizer.json"), "utf8")).encode(TEXT);

  it("has an entry for all 7 projections of both layers, with their input widths and 292 tokens", () => {
    expect([...m.entries.keys()].sort()).toEqual([0, 1].flatMap((l) => PROJECTIONS.map((p) => `blk.${l}.${p}.weight`)).sort());
    for (const [name, e] of m.entries) {
      expect(e.columns).toBe(name.includes("ffn_down") ? 384 : 128);
      expect(e.mean).toHaveLength(e.columns);
      expect(Array.from(e.tokens!)).toEqual([292]);
    }
    expect(m.provenance).toMatchObject({ format: "collected", chunkCount: 1, chunkSize: 512, tokens: 292, datasets: ["eval.txt"] });
  });

  it("blk.0.attn_q's h is the mean of x² of the attn_norm output, computed directly", () => {
    const { hidden, rmsEps } = model.config;
    const embd = model.weights.tokenEmbd.data;
    const w = model.weights.layers[0]!.attnNorm;
    const expected = new Float64Array(hidden);
    for (const id of ids) {
      const row = embd.subarray(id * hidden, (id + 1) * hidden);
      const ms = row.reduce((s, v) => s + v * v, 0) / hidden;
      for (let j = 0; j < hidden; j++) expected[j] = expected[j]! + ((w[j]! * row[j]!) / Math.sqrt(ms + rmsEps)) ** 2 / ids.length;
    }
    expect(relativeError(m.entries.get("blk.0.attn_q.weight")!.mean, expected)).toBeLessThan(1e-5);
  });

  it("q, k and v share one input: identical statistics", () => {
    for (const l of [0, 1]) {
      const q = Array.from(m.entries.get(`blk.${l}.attn_q.weight`)!.mean);
      expect(Array.from(m.entries.get(`blk.${l}.attn_k.weight`)!.mean)).toEqual(q);
      expect(Array.from(m.entries.get(`blk.${l}.attn_v.weight`)!.mean)).toEqual(q);
      expect(Array.from(m.entries.get(`blk.${l}.ffn_up.weight`)!.mean)).toEqual(Array.from(m.entries.get(`blk.${l}.ffn_gate.weight`)!.mean));
    }
  });

  it("ctx and maxTokens: 100 tokens in chunks of 64 count 2 chunks and 100 rows", () => {
    const r = collectModelImatrix(model, ids, { ctx: 64, maxTokens: 100 });
    expect(r.provenance).toMatchObject({ chunkCount: 2, chunkSize: 64, tokens: 100 });
    // Layer 0's attention input depends on the token alone, so the first 100 tokens give the same h.
    const first = collectModelImatrix(model, ids.slice(0, 100));
    expect(relativeError(r.entries.get("blk.0.attn_q.weight")!.mean, first.entries.get("blk.0.attn_q.weight")!.mean)).toBeLessThan(1e-6);
  });

  // The file stores sums f32(mean × tokens); reading divides by tokens in f32 — the same means up to
  // that double rounding (at most 1 ulp here).
  it("saves as a GGUF imatrix and reads back the same means (up to the f32 sum round trip) and counts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ternpack-calib-"));
    dirs.push(dir);
    const file = join(dir, "imatrix.gguf");
    await writeGgufImatrix(file, m);
    const back = await readImatrix(file);
    expect([...back.entries.keys()]).toEqual([...m.entries.keys()]);
    for (const [name, e] of m.entries) {
      const mean = back.entries.get(name)!.mean;
      expect(Array.from(mean)).toEqual(Array.from(e.mean, (v) => Math.fround(Math.fround(v * 292) / 292)));
      expect(relativeError(mean, e.mean)).toBeLessThanOrEqual(2 ** -23);
      expect(Array.from(back.entries.get(name)!.tokens!)).toEqual([292]);
    }
    expect(back.provenance).toMatchObject({ format: "gguf", chunkCount: 1, chunkSize: 512, datasets: ["eval.txt"] });
  });
});

describe("collectModelImatrix on a BitNet 2B-4T-style model", async () => {
  // eps made negligible: this synthetic model's FFN activations have mean squares ~3e-5, where
  // the default eps 1e-5 would pull the identity below to ~0.75.
  const loaded = await loadSafetensorsModel(bitnetFolder("bitnet-synth-2b4t-bf16"));
  const model = { ...loaded, config: { ...loaded.config, rmsEps: 1e-12 } };
  const ref = readJson<{ variants: Record<string, { prompts: { input_ids: number[] }[] }> }>("eval", "bitnet-synth-2b4t-bf16", "hf_reference.json");
  const ids = Object.values(ref.variants)[0]!.prompts.flatMap((p) => p.input_ids);
  const m = collectModelImatrix(model, ids);

  // A sub-norm output z = w·y/rms(y) has mean_j (z_j/w_j)² = ms/(ms + eps) ≈ 1 for every token,
  // so Σ_j h_j/w_j² / K ≈ 1 exactly when h was taken after the sub-norm.
  it.each([
    ["attn_output", "attnSubNorm"],
    ["ffn_down", "ffnSubNorm"],
  ] as const)("%s sees the input after its sub-norm", (proj, norm) => {
    for (const [l, layer] of model.weights.layers.entries()) {
      const w = layer[norm]!;
      const h = m.entries.get(`blk.${l}.${proj}.weight`)!.mean;
      expect(h).toHaveLength(w.length);
      let s = 0;
      for (let j = 0; j < w.length; j++) s += h[j]! / (w[j]! * w[j]!);
      expect(Math.abs(s / w.length - 1)).toBeLessThan(1e-5);
    }
  });
});
