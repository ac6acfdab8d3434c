/**
 * tokenizerMetadata: a model folder's tokenizer files → the `tokenizer.*` GGUF KVs, in the order
 * gguf.md §9 gives: model, pre, tokens, scores, token_type, merges, special ids, add_* flags,
 * chat_template. The source is chosen as convert_hf_to_gguf does: tokenizer.model (SentencePiece)
 * when it parses, else tokenizer.json.
 */
import { fail, isTernpackError } from "../../core/errors.js";
import { TOKENIZER } from "../../../formats/gguf/keys.js";
import { FolderFiles, type TokenizerFiles } from "./files.js";
import { partsFromSentencePiece } from "./from-sentencepiece.js";
import { partsFromTokenizerJson } from "./from-tokenizer-json.js";
import { readTokenizerJson, type HfTokenizerJson } from "./hf-tokenizer-json.js";
import { boolKv, f32ArrayKv, i32ArrayKv, stringArrayKv, stringKv, type TokenizerKv } from "./kv.js";
import type { TokenizerOptions, TokenizerParts } from "./parts.js";
import { parseSentencePieceModel, type SentencePieceModel } from "./sentencepiece-model.js";
import { specialVocabKvs } from "./special-vocab.js";

export interface TokenizerMetadata {
  /** The tokenizer KVs in file order, each ready for `writer.addKv(kv.key, kv.type, kv.value)`. */
  kv: TokenizerKv[];
  /** What the GGUF cannot express or what differs from transformers' behaviour. */
  warnings: string[];
}

export function tokenizerMetadata(files: TokenizerFiles, options: TokenizerOptions = {}): TokenizerMetadata {
  const n = options.vocabSize;
  if (n !== undefined && !(Number.isSafeInteger(n) && n > 0)) fail("USAGE", { detail: `vocabSize ${n} is not a positive integer` });
  const folder = new FolderFiles(files);
  const warnings: string[] = [];
  const json = folder.json("tokenizer.json");
  const tj = json === undefined ? undefined : readTokenizerJson(json);
  const parts = chooseSource(folder, tj, options, warnings);
  const special = specialVocabKvs(
    { files: folder, addedTokens: parts.addedTokens, postProcessor: parts.postProcessor, vocabSize: parts.tokens.length, fallbackIds: parts.fallbackIds },
    warnings,
  );
  const kv: TokenizerKv[] = [stringKv(TOKENIZER.MODEL, parts.model)];
  if (parts.pre !== undefined) kv.push(stringKv(TOKENIZER.PRE, parts.pre));
  kv.push(stringArrayKv(TOKENIZER.TOKENS, parts.tokens));
  if (parts.scores !== undefined) kv.push(f32ArrayKv(TOKENIZER.SCORES, parts.scores));
  kv.push(i32ArrayKv(TOKENIZER.TOKEN_TYPE, parts.types));
  if (parts.merges !== undefined) kv.push(stringArrayKv(TOKENIZER.MERGES, parts.merges));
  kv.push(...special.ids, ...special.flags);
  // llama.cpp's SPM default is true and the converters write the key only when it is needed.
  if (parts.addSpacePrefix === false) kv.push(boolKv(TOKENIZER.ADD_SPACE_PREFIX, false));
  kv.push(...special.chatTemplate);
  return { kv, warnings };
}

function chooseSource(folder: FolderFiles, tj: HfTokenizerJson | undefined, options: TokenizerOptions, warnings: string[]): TokenizerParts {
  const sp = readSentencePiece(folder, tj !== undefined, warnings);
  if (sp !== undefined) return partsFromSentencePiece(folder, sp, tj, options, warnings);
  if (tj === undefined) {
    fail("INVALID_CONFIG", { file: "tokenizer.json", detail: "missing: the tokenizer needs tokenizer.json or a SentencePiece tokenizer.model" });
  }
  return partsFromTokenizerJson(folder, tj, options, warnings);
}

/** The parsed tokenizer.model; when it does not parse and tokenizer.json exists, undefined (with a warning). */
function readSentencePiece(folder: FolderFiles, haveJson: boolean, warnings: string[]): SentencePieceModel | undefined {
  const bytes = folder.bytes("tokenizer.model");
  if (bytes === undefined) return undefined;
  try {
    return parseSentencePieceModel(bytes);
  } catch (e) {
    if (!haveJson || !isTernpackError(e)) throw e;
    warnings.push(`tokenizer.model is not a SentencePiece model (${e.message}); using tokenizer.json`);
    return undefined;
  }
}
