/**
 * Teacher-forced NLL of TinyStories-656K on eval.txt (our tokenization, 292 ids) against
 * transformers' per-token NLLs (recorded to 6 decimals) and its mean 2.994440 (PPL 19.974).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSafetensorsModel } from "../../src/eval/load-safetensors.js";
import { negativeLogLikelihood } from "../../src/eval/nll.js";
import { BpeTokenizer } from "../../src/eval/tokenizer.js";
import { fixturePath, readJson } from "../helpers/fixtures.js";
import { TINYSTORIES_FOLDER } from "./references.js";

const ref = readJson<{ transformers: { mean_nll: number; ppl: number; per_token_nll: number[]; n_scored: number } }>("eval", "tinystories-656k", "eval_nll.json").transformers;

describe("negativeLogLikelihood", () => {
  it("eval.txt: per-token NLLs within 1e-4 and the mean within 1e-5 of transformers", async () => {
    const model = await loadSafetensorsModel(TINYSTORIES_FOLDER);
    const tokenizer = BpeTokenizer.fromTokenizerJson(readFileSync(fixturePath("tinystories-656k", "tokenizer.json"), "utf8"));
    const ids = tokenizer.encode(readFileSync(fixturePath("eval", "tinystories-656k", "eval.txt"), "utf8"));
    const r = negativeLogLikelihood(model, ids);
    expect(r.perToken).toHaveLength(ref.n_scored);
    let worst = 0;
    for (let i = 0; i < ref.n_scored; i++) worst = Math.max(worst, Math.abs(r.perToken[i]! - ref.per_token_nll[i]!));
    expect(worst).toBeLessThan(1e-4);
    expect(Math.abs(r.mean - ref.mean_nll)).toBeLessThan(1e-5);
    expect(Math.abs(r.perplexity - ref.ppl)).toBeLessThan(1e-3);
  });
});
