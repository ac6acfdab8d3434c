/** Special token ids, add_* flags and chat templates (gguf-py SpecialVocab semantics). */
import { describe, expect, it } from "vitest";
import { TOKENIZER } from "../../../formats/gguf/keys.js";
import { tokenizerMetadata, type TokenizerKv } from "../../../src/model/tokenizer/index.js";
import { LLAMA3_SPLIT_REGEX } from "../../../src/model/tokenizer/pre-tokenizer.js";
import { byteLevelTokenizer, spmStyleTokenizer } from "./hand-built.js";
import { textFiles } from "./helpers.js";

const ADD_SEP = "tokenizer.ggml.add_sep_token";
const tail = (kv: TokenizerKv[]) => kv.slice(kv.findIndex((k) => k.key === TOKENIZER.TOKEN_TYPE) + 1).map((k) => [k.key, k.value]);

/** A Llama-3-shaped byte-level tokenizer: 6 base tokens + 4 added specials at 6..9. */
function llama3(postSingleTail: object[] = []) {
  const added = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|reserved_special_token_0|>"].map((content, i) => ({ id: 6 + i, content, special: true }));
  const tj = byteLevelTokenizer(["a", "b", "c", "ab", "\u0120", "\u0120a"], ["a b", "\u0120 a"], added, {
    type: "Sequence",
    pretokenizers: [
      { type: "Split", pattern: { Regex: LLAMA3_SPLIT_REGEX }, behavior: "Isolated", invert: false },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  });
  tj.model.ignore_merges = true;
  const bos = { SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } };
  (tj as Record<string, unknown>)["post_processor"] = {
    type: "Sequence",
    processors: [
      { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
      {
        type: "TemplateProcessing",
        single: [bos, { Sequence: { id: "A", type_id: 0 } }, ...postSingleTail],
        pair: [bos, { Sequence: { id: "A", type_id: 0 } }, { ...bos, SpecialToken: { id: "<|begin_of_text|>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }, ...postSingleTail],
      },
    ],
  };
  return tj;
}

describe("special vocabulary", () => {
  it("Llama-3 style: ids from tokenizer_config texts, add_bos from the template, chat template last", () => {
    const { kv, warnings } = tokenizerMetadata(textFiles({
      "tokenizer.json": llama3(),
      "tokenizer_config.json": { bos_token: "<|begin_of_text|>", eos_token: "<|eot_id|>", chat_template: "{{ bos_token }}{{ messages }}" },
      "config.json": { vocab_size: 10, bos_token_id: 6, eos_token_id: [7, 8] },
    }));
    expect(warnings).toEqual([]);
    expect(tail(kv)).toEqual([
      [TOKENIZER.MERGES, { elementType: 8, values: ["a b", "\u0120 a"] }],
      [TOKENIZER.BOS_ID, 6],
      [TOKENIZER.EOS_ID, 8],
      [TOKENIZER.ADD_BOS, true],
      [ADD_SEP, false],
      [TOKENIZER.CHAT_TEMPLATE, "{{ bos_token }}{{ messages }}"],
    ]);
  });

  it("a template ending in a special other than eos makes it eos (add_eos true) and moves the old eos to eot", () => {
    const eot = { SpecialToken: { id: "<|end_of_text|>", type_id: 0 } };
    const { kv } = tokenizerMetadata(textFiles({
      "tokenizer.json": llama3([eot]),
      "tokenizer_config.json": { bos_token: "<|begin_of_text|>", eos_token: "<|eot_id|>" },
    }));
    expect(tail(kv).slice(1)).toEqual([
      [TOKENIZER.BOS_ID, 6],
      [TOKENIZER.EOS_ID, 7],
      [TOKENIZER.EOT_ID, 8],
      [TOKENIZER.ADD_BOS, true],
      [TOKENIZER.ADD_EOS, true],
      [ADD_SEP, false], // the pair's middle token is bos, not sep/eos
    ]);
  });

  it("tokenizer_config add_*_token overrides the template and keeps its position; config.json fills missing ids", () => {
    const specials = ["<unk>", "<s>", "</s>"].map((content, id) => ({ id, content, special: true }));
    const { kv } = tokenizerMetadata(textFiles({
      "tokenizer.json": spmStyleTokenizer(["<unk>", "<s>", "</s>", "a"], [], specials),
      "tokenizer_config.json": { add_bos_token: false, add_eos_token: true, eos_token: "</s>" },
      "config.json": { bos_token_id: 1, pad_token_id: 0, unk_token_id: 99, sep_token_id: -1 },
    }));
    expect(tail(kv)).toEqual([
      [TOKENIZER.EOS_ID, 2],
      [TOKENIZER.BOS_ID, 1],
      [TOKENIZER.PAD_ID, 0],
      [TOKENIZER.ADD_BOS, false],
      [ADD_SEP, false],
      [TOKENIZER.ADD_EOS, true],
    ]);
  });

  it("ids outside the vocabulary are skipped with a warning", () => {
    const { warnings } = tokenizerMetadata(textFiles({
      "tokenizer.json": spmStyleTokenizer(["<unk>", "<s>", "</s>", "a"], [], []),
      "config.json": { unk_token_id: 99, sep_token_id: -1 },
    }));
    expect(warnings.filter((w) => w.startsWith("config.json"))).toEqual([
      "config.json: unk token id 99 is outside 0..3; skipped",
      "config.json: sep token id -1 is outside 0..3; skipped",
    ]);
  });

  it("RobertaProcessing sets add_bos, add_eos and add_sep", () => {
    const tj = byteLevelTokenizer(["a", "<s>", "</s>"], [], [{ id: 1, content: "<s>", special: true }, { id: 2, content: "</s>", special: true }]);
    (tj as Record<string, unknown>)["post_processor"] = { type: "RobertaProcessing", sep: ["</s>", 2], cls: ["<s>", 1] };
    const { kv } = tokenizerMetadata(textFiles({ "tokenizer.json": tj }));
    expect(tail(kv)).toEqual([
      [TOKENIZER.ADD_BOS, true],
      [TOKENIZER.ADD_EOS, true],
      [ADD_SEP, true],
    ]);
  });

  it("chat_template.jinja is used when tokenizer_config has none; the list form writes named templates", () => {
    const base = { "tokenizer.json": spmStyleTokenizer(["<unk>", "<s>", "</s>", "a"], [], []) };
    const jinja = tokenizerMetadata(textFiles({ ...base, "tokenizer_config.json": {}, "chat_template.jinja": "{{ x }}" }));
    expect(jinja.kv.at(-1)).toEqual({ key: TOKENIZER.CHAT_TEMPLATE, type: 8, value: "{{ x }}" });
    const list = tokenizerMetadata(textFiles({
      ...base,
      "tokenizer_config.json": { chat_template: [{ name: "tool use", template: "T" }, { name: "default", template: "D" }] },
      "chat_template.jinja": "ignored: tokenizer_config wins",
    }));
    expect(list.kv.slice(-3).map((k) => [k.key, k.value])).toEqual([
      ["tokenizer.chat_template.tool_use", "T"],
      ["tokenizer.chat_templates", { elementType: 8, values: ["tool_use"] }],
      [TOKENIZER.CHAT_TEMPLATE, "D"],
    ]);
  });
});
