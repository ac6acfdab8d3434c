/** Failures: missing or malformed tokenizer files are INVALID_CONFIG naming the file. */
import { describe, expect, it } from "vitest";
import { tokenizerMetadata } from "../../../src/model/tokenizer/index.js";
import { byteLevelTokenizer, spmStyleTokenizer } from "./hand-built.js";
import { arrayValues, textFiles } from "./helpers.js";

const specials = ["<unk>", "<s>", "</s>"].map((content, id) => ({ id, content, special: true }));
const invalid = (file: string, detail: string | RegExp) =>
  expect.objectContaining({ name: "TernpackError", code: "INVALID_CONFIG", file, detail: expect.stringMatching(detail) });

describe("missing and unreadable files", () => {
  it("no tokenizer.json and no tokenizer.model names the missing file", () => {
    expect(() => tokenizerMetadata({})).toThrow(invalid("tokenizer.json", /missing.*tokenizer\.model/));
    expect(() => tokenizerMetadata(textFiles({ "tokenizer_config.json": {}, "config.json": {} }))).toThrow(invalid("tokenizer.json", /missing/));
  });

  it("the error message names the file", () => {
    expect(() => tokenizerMetadata({})).toThrow(/INVALID_CONFIG.*file tokenizer\.json/);
  });

  it("malformed JSON and non-UTF-8 bytes name their file", () => {
    const good = JSON.stringify(spmStyleTokenizer(["<unk>", "<s>", "</s>"], [], specials));
    expect(() => tokenizerMetadata({ "tokenizer.json": "{ not json" })).toThrow(invalid("tokenizer.json", /not valid JSON/));
    expect(() => tokenizerMetadata({ "tokenizer.json": good, "tokenizer_config.json": "[1, 2]" })).toThrow(invalid("tokenizer_config.json", /not an object/));
    expect(() => tokenizerMetadata({ "tokenizer.json": good, "config.json": new Uint8Array([0x7b, 0xff, 0x7d]) })).toThrow(invalid("config.json", /UTF-8/));
  });

  it("a tokenizer.model passed as text is refused", () => {
    expect(() => tokenizerMetadata({ "tokenizer.model": "\n\u0005<unk>" })).toThrow(invalid("tokenizer.model", /pass its bytes/));
  });

  it("vocabSize must be a positive integer", () => {
    const good = JSON.stringify(spmStyleTokenizer(["<unk>", "<s>", "</s>"], [], specials));
    expect(() => tokenizerMetadata({ "tokenizer.json": good }, { vocabSize: 0 })).toThrow(expect.objectContaining({ code: "USAGE" }));
  });
});

describe("tokenizer.json contents llama.cpp cannot represent", () => {
  const base = (over: (tj: ReturnType<typeof spmStyleTokenizer>) => unknown) =>
    tokenizerMetadata(textFiles({ "tokenizer.json": over(spmStyleTokenizer(["<unk>", "<s>", "</s>", "a", "b", "ab"], ["a b"], specials)) }));

  it("models other than BPE", () => {
    expect(() => base((tj) => ({ ...tj, model: { type: "Unigram", vocab: [["a", 0]] } }))).toThrow(invalid("tokenizer.json", /"Unigram" is not supported/));
  });

  it("a BPE that is neither byte-level nor SentencePiece-style", () => {
    expect(() => base((tj) => ({ ...tj, normalizer: null, decoder: null, model: { ...tj.model, byte_fallback: false } }))).toThrow(invalid("tokenizer.json", /neither byte-level/));
  });

  it("word affixes", () => {
    expect(() => base((tj) => ({ ...tj, model: { ...tj.model, continuing_subword_prefix: "##" } }))).toThrow(invalid("tokenizer.json", /continuing_subword_prefix/));
  });

  it("a merge naming a token that is not in the vocabulary, a malformed merge", () => {
    expect(() => base((tj) => ({ ...tj, model: { ...tj.model, merges: ["a b", "ab c"] } }))).toThrow(invalid("tokenizer.json", /merge 1 "ab c" uses "c"/));
    expect(() => base((tj) => ({ ...tj, model: { ...tj.model, merges: ["ab"] } }))).toThrow(invalid("tokenizer.json", /merges\[0\]/));
  });

  it("two ids with one text (llama.cpp would abort)", () => {
    const dup = [...specials, { id: 6, content: "ab", special: false }];
    expect(() => tokenizerMetadata(textFiles({ "tokenizer.json": spmStyleTokenizer(["<unk>", "<s>", "</s>", "a", "b", "ab"], ["a b"], dup) })))
      .toThrow(invalid("tokenizer.json", /ids 5 and 6 both have the text "ab"/));
  });

  it("more vocabulary ids than embedding rows; added tokens beyond the rows are dropped with a warning", () => {
    const tj = spmStyleTokenizer(["<unk>", "<s>", "</s>", "a", "b", "ab"], ["a b"], [...specials, { id: 6, content: "<x>", special: true }]);
    expect(() => tokenizerMetadata(textFiles({ "tokenizer.json": tj }), { vocabSize: 5 })).toThrow(invalid("tokenizer.json", /6 ids but the model has 5/));
    const out = tokenizerMetadata(textFiles({ "tokenizer.json": tj, "config.json": { vocab_size: 6 } }));
    expect(out.warnings).toEqual(['added token 6 "<x>" is beyond vocab_size 6; dropped']);
  });

  it("byte-level vocabularies get no byte type", () => {
    const out = tokenizerMetadata(textFiles({ "tokenizer.json": byteLevelTokenizer(["<0x41>", "a"], []) }));
    expect(Array.from(arrayValues(out.kv, "tokenizer.ggml.token_type") as Int32Array)).toEqual([1, 1]);
  });
});
