/** Public API of the tokenizer room: model-folder tokenizer files → `tokenizer.*` GGUF KVs. */
export { tokenizerMetadata, type TokenizerMetadata } from "./metadata.js";
export type { TokenizerOptions } from "./parts.js";
export type { TokenizerKv } from "./kv.js";
export { TOKENIZER_FILE_NAMES, type TokenizerFileName, type TokenizerFiles } from "./files.js";
export { loadTokenizerFiles } from "./load-files.js";
export { parseSentencePieceModel, type SentencePieceModel } from "./sentencepiece-model.js";
