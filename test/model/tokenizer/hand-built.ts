/**
 * Hand-built tokenizer.json documents. The non-model sections are those of real files:
 * SentencePiece-style = TinyStories-656K's (Prepend "▁" + Replace, ByteFallback decoder, BOS template);
 * byte-level = GPT-2's (ByteLevel pre-tokenizer / post-processor / decoder).
 */

type Merges = string[] | [string, string][];
type Added = { id: number; content: string; special: boolean }[];

const addedEntries = (added: Added) =>
  added.map((t) => ({ ...t, single_word: false, lstrip: false, rstrip: false, normalized: !t.special }));

export function spmStyleTokenizer(vocab: string[] | Record<string, number>, merges: Merges, added: Added = []) {
  return {
    version: "1.0",
    added_tokens: addedEntries(added),
    normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "\u2581" }, { type: "Replace", pattern: { String: " " }, content: "\u2581" }] },
    pre_tokenizer: null,
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<s>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
      special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
    },
    decoder: { type: "Sequence", decoders: [{ type: "Replace", pattern: { String: "\u2581" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }] },
    model: { type: "BPE", dropout: null, unk_token: "<unk>", fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab: vocabObject(vocab), merges },
  };
}

export function byteLevelTokenizer(vocab: string[] | Record<string, number>, merges: Merges, added: Added = [], preTokenizer?: unknown) {
  return {
    version: "1.0",
    added_tokens: addedEntries(added),
    normalizer: null,
    pre_tokenizer: preTokenizer ?? { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "",
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: vocabObject(vocab), merges,
    },
  };
}

function vocabObject(vocab: string[] | Record<string, number>): Record<string, number> {
  return Array.isArray(vocab) ? Object.fromEntries(vocab.map((t, i) => [t, i])) : vocab;
}
