/**
 * The evaluation tokenizer on the TinyStories tokenizer.json against transformers' ids
 * (AutoTokenizer, BOS prepended): the 3 TinyStories prompts, the 2 BitNet-reference prompts and
 * the 1,477-byte eval.txt (292 ids).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isTernpackError } from "../../src/core/errors.js";
import { BpeTokenizer } from "../../src/eval/tokenizer.js";
import { fixturePath, readJson } from "../helpers/fixtures.js";
import { BITNET_MODELS, bitnetFolder, bitnetVariants, tinystories } from "./references.js";

const tokenizerText = readFileSync(fixturePath("tinystories-656k", "tokenizer.json"), "utf8");
const tokenizer = BpeTokenizer.fromTokenizerJson(tokenizerText);
const evalText = readFileSync(fixturePath("eval", "tinystories-656k", "eval.txt"), "utf8");
const evalIds = readJson<{ transformers: { input_ids: number[] } }>("eval", "tinystories-656k", "eval_nll.json").transformers.input_ids;

describe("BpeTokenizer (SentencePiece-style BPE tokenizer.json)", () => {
  it("takes BOS from the post-processor template", () => {
    expect(tokenizer.bosId).toBe(1);
  });

  it.each(tinystories.prompts.map((p) => [p.prompt, p.input_ids] as const))("%j → transformers' ids", (prompt, ids) => {
    expect(tokenizer.encode(prompt)).toEqual(ids);
  });

  it("the BitNet references' prompts (their checkpoints' tokenizer.json) → transformers' ids", () => {
    for (const m of BITNET_MODELS) {
      const own = BpeTokenizer.fromTokenizerJson(readFileSync(`${bitnetFolder(m)}/tokenizer.json`, "utf8"));
      for (const [, v] of bitnetVariants(m)) for (const p of v.prompts) expect(own.encode(p.prompt), `${m}: ${p.prompt}`).toEqual(p.input_ids);
    }
  });

  it("eval.txt → transformers' 292 ids", () => {
    expect(Buffer.byteLength(evalText)).toBe(1477);
    const ids = tokenizer.encode(evalText);
    expect(ids).toHaveLength(292);
    expect(ids).toEqual(evalIds);
  });

  it("addBos: false drops only the BOS", () => {
    expect(tokenizer.encode(evalText, { addBos: false })).toEqual(evalIds.slice(1));
  });

  it("characters outside the vocabulary (no <0xNN> pieces here) become one fused <unk> per run", () => {
    // tokenizers: byte_fallback needs every byte piece, else unk; fuse_unk joins adjacent unks.
    const ids = tokenizer.encode("éü", { addBos: false });
    expect(ids).toEqual([80, 0]);
  });

  it("rejects tokenizer.json that is not JSON with INVALID_JSON", () => {
    let error: unknown;
    try {
      BpeTokenizer.fromTokenizerJson("{");
    } catch (e) {
      error = e;
    }
    expect(isTernpackError(error, "INVALID_JSON")).toBe(true);
  });
});
