/**
 * tokenizer.json vocabularies built by hand: SentencePiece-style (holes, byte pieces, added
 * tokens, the merge-rank score rule on ids that are not in merge order) and byte-level BPE
 * (merges in string and pair form, the pre-tokenizer table).
 */
import { describe, expect, it } from "vitest";
import { TOKENIZER } from "../../../formats/gguf/keys.js";
import { LLAMA3_SPLIT_REGEX, QWEN2_SPLIT_REGEX } from "../../../src/model/tokenizer/pre-tokenizer.js";
import { tokenizerMetadata } from "../../../src/model/tokenizer/index.js";
import { byteLevelTokenizer, spmStyleTokenizer } from "./hand-built.js";
import { arrayValues, kvByKey, textFiles } from "./helpers.js";
import { LlamaSpm } from "./llama-spm.js";

const specials = ["<unk>", "<s>", "</s>"].map((content, id) => ({ id, content, special: true }));
const ints = (kv: ReturnType<typeof tokenizerMetadata>["kv"], key: string) => Array.from(arrayValues(kv, key) as Int32Array);
const floats = (kv: ReturnType<typeof tokenizerMetadata>["kv"], key: string) => Array.from(arrayValues(kv, key) as Float32Array);

describe("SentencePiece-style tokenizer.json", () => {
  const vocab = { "<unk>": 0, "<s>": 1, "</s>": 2, "\u2581": 3, a: 4, b: 5, "<0x0A>": 6, ab: 7, "\u2581ab": 9 };
  const added = [
    ...specials,
    { id: 10, content: "\u2581hello", special: false },
    { id: 11, content: "<|im_end|>", special: true },
    { id: 12, content: "<|user|>", special: false },
  ];
  const files = textFiles({
    "tokenizer.json": spmStyleTokenizer(vocab, ["a b", "\u2581 ab"], added),
    "config.json": { vocab_size: 14 },
  });
  const { kv, warnings } = tokenizerMetadata(files);

  it("fills holes up to vocab_size with [PAD{id}] of type UNUSED and types every token", () => {
    expect(warnings).toEqual([]);
    expect(arrayValues(kv, TOKENIZER.TOKENS)).toEqual([
      "<unk>", "<s>", "</s>", "\u2581", "a", "b", "<0x0A>", "ab", "[PAD8]", "\u2581ab", " hello", "<|im_end|>", "<|user|>", "[PAD13]",
    ]);
    // special → 3, byte → 6, hole → 5, non-special added → 4 (text with " "), looks special → 3
    expect(ints(kv, TOKENIZER.TOKEN_TYPE)).toEqual([3, 3, 3, 1, 1, 1, 6, 1, 5, 1, 4, 3, 3, 5]);
  });

  it("scores: −(B + rank) for merged tokens with B = 14 − 2 merged ids, 0 elsewhere", () => {
    const expected = new Array(14).fill(0);
    expected[7] = -12;
    expected[9] = -13;
    expect(floats(kv, TOKENIZER.SCORES)).toEqual(expected);
  });

  it("writes model, pre, tokens, scores, token_type, then the special vocab; add_space_prefix is left at llama.cpp's default", () => {
    expect(kv.map((k) => k.key)).toEqual([
      TOKENIZER.MODEL, TOKENIZER.PRE, TOKENIZER.TOKENS, TOKENIZER.SCORES, TOKENIZER.TOKEN_TYPE,
      TOKENIZER.BOS_ID, TOKENIZER.ADD_BOS, "tokenizer.ggml.add_sep_token",
    ]);
    expect(kvByKey(kv, TOKENIZER.MODEL).value).toBe("llama");
    expect(kvByKey(kv, TOKENIZER.PRE).value).toBe("default");
    // No tokenizer_config.json: the BOS comes from the post-processor template ("<s>", id 1).
    expect(kvByKey(kv, TOKENIZER.BOS_ID).value).toBe(1);
    expect(kvByKey(kv, TOKENIZER.ADD_BOS).value).toBe(true);
  });

  it("without a prepended ▁ (Metaspace prepend_scheme never) writes add_space_prefix false", () => {
    const tj = spmStyleTokenizer(vocab, ["a b", "\u2581 ab"], specials);
    const noPrefix = {
      ...tj,
      normalizer: null,
      pre_tokenizer: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "never", split: false },
    };
    const out = tokenizerMetadata(textFiles({ "tokenizer.json": noPrefix }));
    expect(kvByKey(out.kv, TOKENIZER.ADD_SPACE_PREFIX).value).toBe(false);
    expect(out.kv.at(-1)?.key).toBe(TOKENIZER.ADD_SPACE_PREFIX);
  });

  it("orders merged tokens by merge rank even when their ids are not, so llama.cpp merges like BPE", () => {
    // merges: "b c" (rank 0), "a b" (rank 1), "c d" (rank 2); ids deliberately in another order.
    const v = { "<unk>": 0, "<s>": 1, "</s>": 2, a: 3, b: 4, c: 5, d: 6, cd: 7, ab: 8, bc: 9 };
    const out = tokenizerMetadata(textFiles({ "tokenizer.json": spmStyleTokenizer(v, ["b c", "a b", "c d"], specials) }));
    const scores = floats(out.kv, TOKENIZER.SCORES);
    expect([scores[9], scores[8], scores[7]]).toEqual([-7, -8, -9]); // B = 10 − 3
    // BPE on "abcd": b+c (rank 0) → a bc d; no merge "a bc" or "bc d" → [a, bc, d] = [3, 9, 6].
    const tokens = arrayValues(out.kv, TOKENIZER.TOKENS) as string[];
    expect(new LlamaSpm(tokens, scores).tokenize("abcd", false)).toEqual([3, 9, 6]);
    // Flat scores (the converter's −1000) merge leftmost first: ab, then c+d → [ab, cd].
    expect(new LlamaSpm(tokens, new Float32Array(10).fill(-1000)).tokenize("abcd", false)).toEqual([8, 7]);
  });

  it("reports multi-character tokens no merge produces", () => {
    const v = { "<unk>": 0, "<s>": 1, "</s>": 2, a: 3, b: 4, ab: 5, xyz: 6 };
    const out = tokenizerMetadata(textFiles({ "tokenizer.json": spmStyleTokenizer(v, ["a b"], specials) }));
    expect(out.warnings).toEqual([
      "1 multi-character tokens (first id 6) come from no merge: transformers never emits them, llama.cpp's SPM tokenizer may",
    ]);
  });
});

describe("byte-level BPE tokenizer.json", () => {
  const vocab = ["!", "a", "b", "h", "e", "t", "\u0120", "\u0120t", "he", "<|endoftext|>"];
  const endoftext = [{ id: 9, content: "<|endoftext|>", special: true }];
  const gpt2Config = { bos_token: "<|endoftext|>", eos_token: "<|endoftext|>", unk_token: "<|endoftext|>" };

  it("GPT-2 style: model gpt2, pre gpt-2, tokens, token_type, merges, special ids; no scores", () => {
    const files = textFiles({
      "tokenizer.json": byteLevelTokenizer(vocab, [["\u0120", "t"], ["h", "e"]], endoftext),
      "tokenizer_config.json": gpt2Config,
      "config.json": { vocab_size: 10, bos_token_id: 9, eos_token_id: 9 },
    });
    const { kv, warnings } = tokenizerMetadata(files);
    expect(warnings).toEqual([]);
    expect(kv.map((k) => k.key)).toEqual([
      TOKENIZER.MODEL, TOKENIZER.PRE, TOKENIZER.TOKENS, TOKENIZER.TOKEN_TYPE, TOKENIZER.MERGES,
      TOKENIZER.BOS_ID, TOKENIZER.EOS_ID, TOKENIZER.UNK_ID,
    ]);
    expect([kvByKey(kv, TOKENIZER.MODEL).value, kvByKey(kv, TOKENIZER.PRE).value]).toEqual(["gpt2", "gpt-2"]);
    expect(arrayValues(kv, TOKENIZER.TOKENS)).toEqual(vocab);
    expect(ints(kv, TOKENIZER.TOKEN_TYPE)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 3]);
    expect(arrayValues(kv, TOKENIZER.MERGES)).toEqual(["\u0120 t", "h e"]);
    expect(kv.slice(5).map((k) => k.value)).toEqual([9, 9, 9]);
  });

  it("merges in string form and in pair form give the same strings; spaces inside a pair part become U+0120", () => {
    const asStrings = tokenizerMetadata(textFiles({ "tokenizer.json": byteLevelTokenizer(vocab, ["\u0120 t", "h e"], endoftext) }));
    const asPairs = tokenizerMetadata(textFiles({ "tokenizer.json": byteLevelTokenizer(vocab, [["\u0120", "t"], ["h", "e"]], endoftext) }));
    expect(arrayValues(asStrings.kv, TOKENIZER.MERGES)).toEqual(arrayValues(asPairs.kv, TOKENIZER.MERGES));
    const spaced = tokenizerMetadata(textFiles({ "tokenizer.json": byteLevelTokenizer(vocab, [["a b", "c"], ["h", "e"]], endoftext) }));
    expect(arrayValues(spaced.kv, TOKENIZER.MERGES)).toEqual(["a\u0120b c", "h e"]);
    expect(spaced.warnings).toEqual(["merges contain spaces inside a part; written as U+0120 like gguf-py"]);
  });

  const split = (regex: string) => ({
    type: "Sequence",
    pretokenizers: [
      { type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  });
  const preOf = (pre: unknown, ignoreMerges = false) => {
    const tj = byteLevelTokenizer(vocab, ["h e"], endoftext, pre);
    tj.model.ignore_merges = ignoreMerges;
    const out = tokenizerMetadata(textFiles({ "tokenizer.json": tj }));
    return { pre: out.kv.find((k) => k.key === TOKENIZER.PRE)?.value, warnings: out.warnings };
  };

  it("pre-tokenizer table: Llama-3 → llama-bpe, Qwen2 → qwen2", () => {
    expect(preOf(split(LLAMA3_SPLIT_REGEX), true)).toEqual({ pre: "llama-bpe", warnings: [] });
    expect(preOf(split(QWEN2_SPLIT_REGEX))).toEqual({ pre: "qwen2", warnings: [] });
  });

  it("an unknown split regex or a prefix space writes no pre key and says why", () => {
    const unknown = preOf(split("\\p{L}+|\\s+"));
    expect(unknown.pre).toBeUndefined();
    expect(unknown.warnings[0]).toContain("no known pre-tokenizer uses the split regex");
    const prefixed = preOf({ type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true });
    expect(prefixed.pre).toBeUndefined();
    expect(prefixed.warnings[0]).toContain("adds a prefix space");
  });

  it("llama-bpe with ignore_merges false is written but flagged", () => {
    const out = preOf(split(LLAMA3_SPLIT_REGEX), false);
    expect(out.pre).toBe("llama-bpe");
    expect(out.warnings).toEqual(['pre-tokenizer "llama-bpe" runs with ignore_merges true in llama.cpp, but tokenizer.json has ignore_merges false']);
  });
});
