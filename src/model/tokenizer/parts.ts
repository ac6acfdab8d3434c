/** What each tokenizer source yields before the KVs are assembled in converter order. */
import { idField, objectField, type FolderFiles } from "./files.js";
import type { AddedToken } from "./hf-tokenizer-json.js";

export interface TokenizerParts {
  /** `tokenizer.ggml.model`. */
  model: "gpt2" | "llama";
  /** `tokenizer.ggml.pre`; undefined = not written. */
  pre: string | undefined;
  tokens: string[];
  /** SPM scores (llama only). */
  scores: Float32Array | undefined;
  types: Int32Array;
  /** "a b" merges (gpt2 only). */
  merges: string[] | undefined;
  /** SPM: whether the tokenizer prepends "▁" to the text. */
  addSpacePrefix: boolean | undefined;
  /** Added tokens in lookup order, for the special-token ids. */
  addedTokens: AddedToken[];
  postProcessor: Record<string, unknown> | undefined;
  /** Ids the source itself declares (SentencePiece trainer spec), used last. */
  fallbackIds?: Partial<Record<"bos" | "eos" | "unk" | "pad", number>>;
}

export interface TokenizerOptions {
  /**
   * Number of token ids to write, normally the embedding's row count. Default: config.json
   * `vocab_size` (or `text_config.vocab_size`), else one past the highest token id.
   */
  vocabSize?: number;
}

export function declaredVocabSize(files: FolderFiles, options: TokenizerOptions): number | undefined {
  if (options.vocabSize !== undefined) return options.vocabSize;
  const config = files.json("config.json");
  return idField(config, "vocab_size") ?? idField(objectField(config, "text_config"), "vocab_size");
}
