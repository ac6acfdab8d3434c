/**
 * `tokenizer.ggml.pre` for byte-level BPE vocabularies (model "gpt2"). llama.cpp picks its
 * pre-tokenizer regex from this id. convert_hf_to_gguf finds the id by hashing the token ids of a
 * test text (its `chkhsh` table), which needs a running tokenizer; ternpack instead matches the
 * tokenizer.json `pre_tokenizer` section structurally, against this table:
 *
 * | pre         | tokenizer.json pre_tokenizer                                           | models |
 * |-------------|-------------------------------------------------------------------------|--------|
 * | `gpt-2`     | ByteLevel alone, use_regex true (its built-in GPT-2 regex)              | GPT-2, OPT, Pythia-style BPE |
 * | `llama-bpe` | Sequence[Split(LLAMA3 regex, Isolated), ByteLevel(use_regex false)]     | Llama-3.x, HF1BitLLM Llama3-8B-1.58, bitnet-b1.58-2B-4T |
 * | `qwen2`     | Sequence[Split(QWEN2 regex, Isolated), ByteLevel(use_regex false)]      | Qwen2 / Qwen2.5 |
 *
 * In every row ByteLevel must have add_prefix_space false (llama.cpp adds no space for these ids).
 * Anything else is unrecognised: the key is left out (llama.cpp then warns loudly at load time and
 * uses its "default" regex) and a warning says why.
 */
import { boolField, isObject, stringField } from "./files.js";
import { sectionItems } from "./hf-tokenizer-json.js";

/** tokenizer.json `Split` regex of Llama-3 (the tiktoken cl100k pattern). */
export const LLAMA3_SPLIT_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** tokenizer.json `Split` regex of Qwen2: like Llama-3 but single digits. */
export const QWEN2_SPLIT_REGEX =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** Stands for "ByteLevel with use_regex: its built-in GPT-2 regex". */
const BYTE_LEVEL_BUILTIN = "<ByteLevel built-in regex>";

interface PreTokenizerEntry {
  pre: string;
  regex: string;
  /** llama.cpp switches ignore_merges on for this id; the tokenizer should agree. */
  ignoreMerges: boolean;
}

export const PRE_TOKENIZER_TABLE: readonly PreTokenizerEntry[] = [
  { pre: "gpt-2", regex: BYTE_LEVEL_BUILTIN, ignoreMerges: false },
  { pre: "llama-bpe", regex: LLAMA3_SPLIT_REGEX, ignoreMerges: true },
  { pre: "qwen2", regex: QWEN2_SPLIT_REGEX, ignoreMerges: false },
];

/** The split regex a byte-level pre_tokenizer applies, or a reason why it has no single one. */
function splitRegex(preTokenizer: Record<string, unknown> | undefined): { regex: string } | { why: string } {
  const items = sectionItems(preTokenizer);
  const last = items[items.length - 1];
  if (last === undefined || last["type"] !== "ByteLevel") return { why: "it does not end with a ByteLevel step" };
  if (boolField(last, "add_prefix_space") === true) return { why: "its ByteLevel step adds a prefix space" };
  const builtin = boolField(last, "use_regex") ?? true;
  if (items.length === 1) return builtin ? { regex: BYTE_LEVEL_BUILTIN } : { why: "it does not split words at all" };
  const split = items[0] as Record<string, unknown>;
  const pattern = split["pattern"];
  const regex = isObject(pattern) ? stringField(pattern, "Regex") : undefined;
  if (items.length !== 2 || split["type"] !== "Split" || regex === undefined || builtin) {
    return { why: "it is not one Split regex followed by ByteLevel" };
  }
  if (split["behavior"] !== "Isolated" || split["invert"] === true) return { why: "its Split step is not Isolated" };
  return { regex };
}

export interface PreTokenizerMatch {
  /** Undefined when unrecognised (then write no key). */
  pre: string | undefined;
  warning: string | undefined;
}

export function detectPreTokenizer(preTokenizer: Record<string, unknown> | undefined, ignoreMerges: boolean): PreTokenizerMatch {
  const found = splitRegex(preTokenizer);
  if ("why" in found) {
    return { pre: undefined, warning: `tokenizer.ggml.pre not written: the tokenizer.json pre_tokenizer is not recognised (${found.why}); llama.cpp will use its default regex` };
  }
  const entry = PRE_TOKENIZER_TABLE.find((e) => e.regex === found.regex);
  if (entry === undefined) {
    return { pre: undefined, warning: `tokenizer.ggml.pre not written: no known pre-tokenizer uses the split regex ${JSON.stringify(found.regex)}; llama.cpp will use its default regex` };
  }
  const warning =
    entry.ignoreMerges === ignoreMerges
      ? undefined
      : `pre-tokenizer "${entry.pre}" runs with ignore_merges ${entry.ignoreMerges} in llama.cpp, but tokenizer.json has ignore_merges ${ignoreMerges}`;
  return { pre: entry.pre, warning };
}
