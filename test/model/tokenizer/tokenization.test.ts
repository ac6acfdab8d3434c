/**
 * Why the scores matter: llama.cpp's SPM tokenizer (modelled in llama-spm.ts) run on the
 * TinyStories vocabulary. First the model is checked against llama.cpp 2025's own recorded
 * tokenizations of the converter's GGUF (all scores −1000); then, with OUR scores, it must give
 * exactly transformers' ids — the 3 prompts and the 1,477-byte eval.txt (292 ids).
 */
import { describe, expect, it } from "vitest";
import { TOKENIZER } from "../../../formats/gguf/keys.js";
import { tokenizerMetadata } from "../../../src/model/tokenizer/index.js";
import { arrayValues, manifestFile, modelFiles } from "./helpers.js";
import { LlamaSpm } from "./llama-spm.js";

const BOS = 1;
const dir = "tokenizers/tinystories-656k/tokenization/";
const json = (name: string) => JSON.parse(new TextDecoder().decode(manifestFile(dir + name)));
const agreement = json("greedy_agreement.json") as {
  prompts: { prompt: string; hf_input_ids: number[]; gguf: { f32: { llamacpp_tokenization_of_prompt: number[] } } }[];
};
const evalNll = json("eval_nll.json") as {
  transformers: { input_ids: number[] };
  transformers_on_llamacpp_tokenization: { input_ids: number[] };
};
const evalText = new TextDecoder().decode(manifestFile(dir + "eval.txt"));

const { kv } = tokenizerMetadata(modelFiles("tinystories-656k"));
const tokens = Array.from(arrayValues(kv, TOKENIZER.TOKENS) as ArrayLike<string>);
const ours = new LlamaSpm(tokens, arrayValues(kv, TOKENIZER.SCORES) as Float32Array);
const converter = new LlamaSpm(tokens, new Float32Array(tokens.length).fill(-1000));
const withBos = (spm: LlamaSpm, text: string) => [BOS, ...spm.tokenize(text)];

describe("llama.cpp SPM tokenization of the TinyStories vocabulary", () => {
  it("the model reproduces llama.cpp 2025 on the converter's −1000 scores (prompts differ from transformers)", () => {
    for (const p of agreement.prompts) {
      expect(withBos(converter, p.prompt), p.prompt).toEqual(p.gguf.f32.llamacpp_tokenization_of_prompt);
    }
    expect(agreement.prompts.filter((p) => JSON.stringify(p.hf_input_ids) !== JSON.stringify(p.gguf.f32.llamacpp_tokenization_of_prompt))).toHaveLength(2);
  });

  it("the model reproduces llama-perplexity's 339 ids for eval.txt on the converter's scores", () => {
    expect(evalText.length).toBe(1477);
    const ids = withBos(converter, evalText);
    expect(ids).toHaveLength(339);
    expect(ids).toEqual(evalNll.transformers_on_llamacpp_tokenization.input_ids);
  });

  it("with our merge-rank scores llama.cpp tokenizes the prompts exactly like transformers", () => {
    for (const p of agreement.prompts) expect(withBos(ours, p.prompt), p.prompt).toEqual(p.hf_input_ids);
  });

  it("with our merge-rank scores eval.txt gives transformers' 292 ids", () => {
    const ids = withBos(ours, evalText);
    expect(ids).toHaveLength(292);
    expect(ids).toEqual(evalNll.transformers.input_ids);
  });
});
