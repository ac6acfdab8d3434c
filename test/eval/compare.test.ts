/**
 * The evaluator's statistics: first on a tiny hand-made case against a direct float64 computation
 * written here (plain softmax, two-pass variance); then TinyStories-656K on eval.txt — against
 * itself (KL exactly 0), against transformers' reference NLL, against a Q8_0 GGUF (small KL) and an
 * absmean-ternarized I2_S GGUF (much larger KL).
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { evaluate, type EvaluateResult } from "../../src/api/evaluate.js";
import { compareModels, compareTeacherForced } from "../../src/eval/compare.js";
import { loadSafetensorsModel } from "../../src/eval/load-safetensors.js";
import { summarizeTokenStats, TokenStats } from "../../src/eval/logit-stats.js";
import { negativeLogLikelihood } from "../../src/eval/nll.js";
import { BpeTokenizer } from "../../src/eval/tokenizer.js";
import { fixturePath, readJson } from "../helpers/fixtures.js";
import { TINYSTORIES_FOLDER } from "./references.js";

const TEXT = readFileSync(fixturePath("eval", "tinystories-656k", "eval.txt"), "utf8");
interface NllReference {
  transformers: { mean_nll: number; ppl: number; n_scored: number };
  transformers_on_llamacpp_tokenization: { input_ids: number[] };
  llamacpp_f32: { llama_perplexity_c128: { n_chunks: number; n_scored: number; mean_nll: number; transformers_same_protocol_mean_nll: number } };
}
const NLL = readJson<NllReference>("eval", "tinystories-656k", "eval_nll.json");
const REF = NLL.transformers;

/** Independent float64 reference: softmax without max-shift, KL as Σ p·log(p/q), two-pass stderr. */
function direct(rows: [number[], number[], number][]) {
  const softmax = (l: number[]) => {
    const e = l.map(Math.exp);
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  };
  const top = (l: number[]) => l.indexOf(Math.max(...l));
  const kl = rows.map(([a, b]) => {
    const p = softmax(a);
    const q = softmax(b);
    return p.reduce((s, pi, i) => s + pi * Math.log(pi / q[i]!), 0);
  });
  const nllA = rows.map(([a, , t]) => -Math.log(softmax(a)[t]!));
  const nllB = rows.map(([, b, t]) => -Math.log(softmax(b)[t]!));
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const stderr = (x: number[]) => {
    const m = mean(x);
    return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1) / x.length);
  };
  const sorted = [...kl].sort((a, b) => a - b);
  const same = rows.map(([a, b]) => (top(a) === top(b) ? 1 : 0));
  return { kl, nllA, nllB, mean, stderr, sorted, same };
}

describe("token statistics on a tiny case", () => {
  // 5 positions over a 4-token vocabulary; position 3 has different argmaxes. Values are made
  // float32-exact so both computations see the same logits.
  const f32 = (l: number[]) => l.map(Math.fround);
  const rows: [number[], number[], number][] = ([
    [[1, 2, 0.5, -1], [1.1, 1.9, 0.4, -0.8], 1],
    [[0, 0, 0, 3], [0.2, -0.1, 0, 2.5], 3],
    [[2, -2, 1, 0], [2, -2, 1, 0], 2],
    [[0.5, 0.4, -3, 1], [0.5, 1.5, -3, 1], 0],
    [[-1, 4, 2, 2], [-0.5, 3, 2.5, 1], 1],
  ] as [number[], number[], number][]).map(([a, b, t]) => [f32(a), f32(b), t]);
  const stats = new TokenStats(rows.length, 4);
  for (const [a, b, t] of rows) stats.add(Float32Array.from(a), Float32Array.from(b), t);
  const s = summarizeTokenStats(stats);
  const d = direct(rows);

  it("per-token NLL, KL and top-1 agreement equal the direct computation", () => {
    for (let i = 0; i < rows.length; i++) {
      expect(stats.nllOriginal[i]).toBeCloseTo(d.nllA[i]!, 12);
      expect(stats.nllQuantized[i]).toBeCloseTo(d.nllB[i]!, 12);
      expect(stats.kl[i]).toBeCloseTo(d.kl[i]!, 12);
    }
    expect(Array.from(stats.sameTop)).toEqual(d.same);
    expect(Array.from(stats.sameTop)).toEqual([1, 1, 1, 0, 1]);
    expect(stats.kl[2]).toBe(0); // identical logits
  });

  it("summaries: means, standard errors, median, p99, max, same-top fraction", () => {
    expect(s.tokens).toBe(5);
    expect(s.kl.mean).toBeCloseTo(d.mean(d.kl), 12);
    expect(s.kl.stderr).toBeCloseTo(d.stderr(d.kl), 12);
    expect(s.kl.median).toBeCloseTo(d.sorted[2]!, 12);
    expect(s.kl.p99).toBeCloseTo(d.sorted[3]! + 0.96 * (d.sorted[4]! - d.sorted[3]!), 12); // 0.99·4 = 3.96
    expect(s.kl.max).toBeCloseTo(d.sorted[4]!, 12);
    expect(s.kl.min).toBe(0);
    expect(s.original.mean).toBeCloseTo(d.mean(d.nllA), 12);
    expect(s.original.stderr).toBeCloseTo(d.stderr(d.nllA), 12);
    expect(s.original.ppl).toBeCloseTo(Math.exp(d.mean(d.nllA)), 12);
    expect(s.quantized.ppl).toBeCloseTo(Math.exp(d.mean(d.nllB)), 12);
    expect(s.lnPplRatio.mean).toBeCloseTo(d.mean(d.nllB) - d.mean(d.nllA), 12);
    expect(s.sameTop.mean).toBe(0.8);
    expect(s.sameTop.stderr).toBeCloseTo(Math.sqrt((0.8 * 0.2) / 4), 12);
  });
});

describe("TinyStories-656K on eval.txt", () => {
  let dir = "";
  const results: Record<"self" | "q8_0" | "i2_s", EvaluateResult> = {} as never;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ternpack-compare-"));
    const q8 = join(dir, "q8_0.gguf");
    const ternary = join(dir, "i2_s.gguf");
    await convert({ input: TINYSTORIES_FOLDER, output: q8, method: "none", keepType: "q8_0", workers: 0 });
    await convert({ input: TINYSTORIES_FOLDER, output: ternary, target: "bitnet.cpp", layout: "i2_s", method: "absmean", workers: 0 });
    results.self = await evaluate({ original: TINYSTORIES_FOLDER, quantized: TINYSTORIES_FOLDER, text: TEXT });
    results.q8_0 = await evaluate({ original: TINYSTORIES_FOLDER, quantized: q8, text: TEXT });
    results.i2_s = await evaluate({ original: TINYSTORIES_FOLDER, quantized: ternary, text: TEXT });
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the original's perplexity is transformers' (one 292-token window, 291 scored)", () => {
    const r = results.self;
    expect(r.tokens).toBe(REF.n_scored);
    expect(r.windows).toBe(1);
    expect(Math.abs(r.original.mean - REF.mean_nll)).toBeLessThan(1e-5);
    expect(Math.abs(r.original.ppl - REF.ppl)).toBeLessThan(1e-3);
  });

  it("a model against itself: KL exactly 0, top-1 agreement 100 %, greedy identical", () => {
    const r = results.self;
    expect(r.kl).toMatchObject({ mean: 0, median: 0, p99: 0, max: 0, min: 0, stderr: 0 });
    expect(r.sameTop.mean).toBe(1);
    expect(r.quantized.mean).toBe(r.original.mean);
    expect(r.greedy).toHaveLength(3);
    for (const g of r.greedy) expect(g).toMatchObject({ firstDivergence: null, fractionEqual: 1 });
  });

  // Measured (state of this commit): Q8_0 weights KL mean 3.37e-4 ± 1.6e-5, max 1.77e-3, same top
  // 98.97 %, PPL 19.974 → 20.020; absmean I2_S KL mean 6.39 ± 0.18, same top 2.4 %, PPL → 11073.
  it("Q8_0 weights: small positive KL on every token, PPL within 1 %, top-1 agreement ≥ 95 %", () => {
    const r = results.q8_0;
    expect(r.original.mean).toBe(results.self.original.mean);
    expect(r.kl.min).toBeGreaterThan(0);
    expect(r.kl.mean).toBeGreaterThan(0);
    expect(r.kl.mean).toBeLessThan(1e-2);
    expect(r.kl.max).toBeLessThan(0.05);
    expect(r.kl.stderr).toBeGreaterThan(0);
    expect(r.kl.stderr).toBeLessThan(r.kl.mean);
    expect(Math.abs(r.quantized.ppl / r.original.ppl - 1)).toBeLessThan(0.01);
    expect(r.lnPplRatio.mean).toBeCloseTo(Math.log(r.quantized.ppl / r.original.ppl), 12);
    expect(r.sameTop.mean).toBeGreaterThan(0.95);
  });

  it("absmean ternary (I2_S): KL over 100× Q8_0's, perplexity far worse, top-1 mostly lost", () => {
    const r = results.i2_s;
    expect(r.kl.mean).toBeGreaterThan(100 * results.q8_0.kl.mean);
    expect(r.kl.mean).toBeGreaterThan(1);
    expect(r.kl.median).toBeGreaterThan(r.kl.min);
    expect(r.kl.p99).toBeLessThanOrEqual(r.kl.max);
    expect(r.quantized.ppl).toBeGreaterThan(10 * r.original.ppl);
    expect(r.sameTop.mean).toBeLessThan(0.5);
    for (const g of r.greedy) expect(g.firstDivergence).not.toBeNull();
  });

  it("llama.cpp protocol, ctx 128, on llama.cpp's 339-token tokenization: llama-perplexity's 126 tokens and NLL", async () => {
    const model = await loadSafetensorsModel(TINYSTORIES_FOLDER);
    const ids = NLL.transformers_on_llamacpp_tokenization.input_ids;
    const c128 = NLL.llamacpp_f32.llama_perplexity_c128;
    const r = compareModels(model, model, ids, { ctx: 128, protocol: "llama.cpp", bos: 1, prompts: [] });
    expect(r.windows).toBe(c128.n_chunks);
    expect(r.tokens).toBe(c128.n_scored);
    expect(Math.abs(r.original.mean - c128.transformers_same_protocol_mean_nll)).toBeLessThan(1e-5);
    expect(Math.abs(r.original.mean - c128.mean_nll)).toBeLessThan(5e-5); // llama.cpp F32, printed to 6 decimals
    // llama-perplexity's "PPL = 144.9243 +/- 64.10815" uses the same exp(mean) and stderr propagation.
    expect(Math.abs(r.original.pplError - 64.10815) / 64.10815).toBeLessThan(1e-3);
  });

  it("ctx 128: three windows, each scored as negativeLogLikelihood scores it alone", async () => {
    const model = await loadSafetensorsModel(TINYSTORIES_FOLDER);
    const tokenizer = BpeTokenizer.fromTokenizerJson(readFileSync(fixturePath("tinystories-656k", "tokenizer.json"), "utf8"));
    const ids = tokenizer.encode(TEXT);
    const stats = compareTeacherForced(model, model, ids, { ctx: 128 });
    const expected = [ids.slice(0, 128), ids.slice(128, 256), ids.slice(256)].flatMap((w) => Array.from(negativeLogLikelihood(model, w).perToken));
    expect(stats.count).toBe(127 + 127 + 35);
    expect(Array.from(stats.nllOriginal)).toEqual(expected);
    const r = compareModels(model, model, ids, { ctx: 128, prompts: [ids.slice(0, 5)], greedyTokens: 4 });
    expect(r.windows).toBe(3);
    expect(r.greedy).toHaveLength(1);
    expect(r.greedy[0]!.original).toHaveLength(4);
  });
});
