/**
 * `tokenizer.ggml.tokens` + `tokenizer.ggml.token_type`: one entry per id 0..vocabSize-1.
 *
 * Type of each id, first rule that applies (gguf.md §7.3; the converter's rules):
 *   hole (no token has the id)                         → "[PAD{id}]", UNUSED (5)
 *   byte piece "<0xNN>" in an SPM-style vocabulary     → BYTE (6)
 *   added token that is special, looks special (`<|…|>`, `<pad>`, …, as convert_hf_to_gguf's
 *     `does_token_look_special`) or is a named special token (bos_token, …) → CONTROL (3)
 *   other added token                                  → USER_DEFINED (4)
 *   vocabulary token that is a named special token     → CONTROL (3)
 *   the model's unk token                              → UNKNOWN (2)
 *   anything else                                      → the source's own type (SentencePiece pieces) or NORMAL (1)
 * USER_DEFINED texts are written with "▁" as " ": llama.cpp matches them on the raw text, before
 * its own space escaping (convert_hf_to_gguf does the same).
 */
import { fail } from "../../core/errors.js";
import { TOKEN_TYPE } from "../../../formats/gguf/keys.js";
import type { AddedToken } from "./hf-tokenizer-json.js";

export interface VocabTableInput {
  /** The tokenizer model's own vocabulary by id (holes allowed). */
  base: readonly (string | undefined)[];
  /** The base tokens' own types (SentencePiece pieces); NORMAL when absent. */
  baseTypes?: Int32Array;
  added: ReadonlyMap<number, AddedToken>;
  /** Token texts transformers counts as special. */
  specialTexts: ReadonlySet<string>;
  unkText: string | undefined;
  /** SPM-style vocabularies: "<0xNN>" pieces are byte tokens. */
  byteTokens: boolean;
  /** Number of ids to write (the embedding's row count). */
  vocabSize: number;
  /** For messages: the file the vocabulary came from. */
  file: string;
  warnings: string[];
}

export interface VocabTable {
  tokens: string[];
  types: Int32Array;
}

const BYTE_PIECE = /^<0x[0-9A-Fa-f]{2}>$/;
const LOOKS_SPECIAL = new Set(["<pad>", "<mask>", "<2mass>", "[@BOS@]"]);

/** convert_hf_to_gguf's heuristic for added tokens that should be control tokens although not marked special. */
export function looksSpecial(text: string): boolean {
  return (
    LOOKS_SPECIAL.has(text) ||
    (text.startsWith("<|") && text.endsWith("|>")) ||
    (text.startsWith("<\uff5c") && text.endsWith("\uff5c>")) ||
    (text.startsWith("<unused") && text.endsWith(">"))
  );
}

export function buildVocabTable(input: VocabTableInput): VocabTable {
  const { base, added, vocabSize } = input;
  const tokens = new Array<string>(vocabSize);
  const types = new Int32Array(vocabSize);
  for (let id = 0; id < vocabSize; id++) {
    const extra = added.get(id);
    const own = base[id];
    if (extra !== undefined && own !== undefined && own !== extra.content) {
      input.warnings.push(`added token ${id} ${JSON.stringify(extra.content)} replaces ${JSON.stringify(own)} of ${input.file}`);
    }
    const text = extra?.content ?? own;
    if (text === undefined) {
      tokens[id] = `[PAD${id}]`;
      types[id] = TOKEN_TYPE.UNUSED;
    } else if (input.byteTokens && BYTE_PIECE.test(text)) {
      tokens[id] = text;
      types[id] = TOKEN_TYPE.BYTE;
    } else {
      const type = extra !== undefined ? addedType(input, extra) : baseType(input, id, text);
      tokens[id] = type === TOKEN_TYPE.USER_DEFINED ? text.replaceAll("\u2581", " ") : text;
      types[id] = type;
    }
  }
  checkUnique(tokens, input.file);
  return { tokens, types };
}

/**
 * The number of ids to write: `declared` (the embedding's rows; config.json vocab_size) or, when
 * unknown, one past the highest id. Base tokens beyond `declared` are an error; added tokens beyond
 * it are dropped with a warning, as convert_hf_to_gguf does.
 */
export function resolveVocabSize(
  baseLength: number,
  added: Map<number, AddedToken>,
  declared: number | undefined,
  file: string,
  warnings: string[],
): number {
  if (declared === undefined) {
    let n = baseLength;
    for (const id of added.keys()) n = Math.max(n, id + 1);
    return n;
  }
  if (baseLength > declared) {
    fail("INVALID_CONFIG", { file, detail: `the vocabulary has ${baseLength} ids but the model has ${declared} embedding rows (vocab_size)` });
  }
  for (const id of [...added.keys()]) {
    if (id >= declared) {
      warnings.push(`added token ${id} ${JSON.stringify(added.get(id)?.content)} is beyond vocab_size ${declared}; dropped`);
      added.delete(id);
    }
  }
  return declared;
}

function addedType(input: VocabTableInput, token: AddedToken): number {
  const control = token.special || looksSpecial(token.content) || input.specialTexts.has(token.content);
  return control ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED;
}

function baseType(input: VocabTableInput, id: number, text: string): number {
  if (input.specialTexts.has(text)) return TOKEN_TYPE.CONTROL;
  if (text === input.unkText) return TOKEN_TYPE.UNKNOWN;
  return input.baseTypes?.[id] ?? TOKEN_TYPE.NORMAL;
}

/** llama.cpp aborts on a vocabulary with two ids for one text (GGML_ASSERT on its token map). */
function checkUnique(tokens: readonly string[], file: string): void {
  const firstId = new Map<string, number>();
  for (let id = 0; id < tokens.length; id++) {
    const text = tokens[id] as string;
    const other = firstId.get(text);
    if (other !== undefined) {
      fail("INVALID_CONFIG", { file, detail: `ids ${other} and ${id} both have the text ${JSON.stringify(text)}; llama.cpp needs unique token texts` });
    }
    firstId.set(text, id);
  }
}
