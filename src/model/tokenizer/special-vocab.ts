/**
 * Special token ids, add_*_token flags and chat template, with the semantics of gguf-py's
 * `SpecialVocab` (the 2026 converter, whose output carries `add_sep_token`), so that the KVs and
 * their order match the converter's:
 *   1. tokenizer.json `post_processor` (TemplateProcessing / RobertaProcessing, also inside a
 *      Sequence) decides add_bos / add_eos / add_sep;
 *   2. tokenizer_config.json `add_{slot}_token` booleans override them, and each `{slot}_token`
 *      text is looked up among the added tokens (first match) for the id;
 *   3. config.json `{slot}_token_id` (or `text_config.…`) fills slots still unset.
 * Slots: bos, eos, unk, sep, pad, cls, mask (+ eot/eom when the template's trailing token replaces
 * eos); the first source that sets a slot wins, ids ≥ vocabSize are skipped with a warning.
 * Extensions over gguf-py: special_tokens_map.json supplies `{slot}_token` texts tokenizer_config
 * lacks; `fallbackIds` (the SentencePiece trainer's ids) fill slots nothing else set; a negative
 * config id is a warning instead of an exception; chat_template.jinja is read even without a
 * tokenizer_config.json.
 */
import { TOKENIZER } from "../../../formats/gguf/keys.js";
import { GGUF_VALUE_TYPE as T } from "../../../formats/gguf/value-types.js";
import { SPECIAL_TOKEN_SLOTS, tokenContent } from "./added-tokens.js";
import { isObject, objectField, stringField, type FolderFiles } from "./files.js";
import type { AddedToken } from "./hf-tokenizer-json.js";
import type { TokenizerKv } from "./kv.js";
import { applyPostProcessor } from "./post-processor.js";

type Slot = (typeof SPECIAL_TOKEN_SLOTS)[number] | "eot" | "eom";

/** GGUF keys per slot; gguf-py has no writer for cls, so neither do we. */
const ID_KEYS: Partial<Record<Slot, string>> = {
  bos: TOKENIZER.BOS_ID,
  eos: TOKENIZER.EOS_ID,
  unk: TOKENIZER.UNK_ID,
  sep: TOKENIZER.SEP_ID,
  pad: TOKENIZER.PAD_ID,
  mask: "tokenizer.ggml.mask_token_id",
  eot: TOKENIZER.EOT_ID,
  eom: TOKENIZER.EOM_ID,
};

const ADD_KEYS: Partial<Record<Slot, string>> = {
  bos: TOKENIZER.ADD_BOS,
  eos: TOKENIZER.ADD_EOS,
  sep: "tokenizer.ggml.add_sep_token",
};

export interface SpecialVocabInput {
  files: FolderFiles;
  /** Added tokens in lookup order (tokenizer.json's first). */
  addedTokens: Iterable<AddedToken>;
  postProcessor: Record<string, unknown> | undefined;
  vocabSize: number;
  fallbackIds?: Partial<Record<"bos" | "eos" | "unk" | "pad", number>>;
}

/** The slots' token texts, mutable because the post-processor may re-point eos (and add eot/eom). */
export interface NamedTokens {
  slots: Slot[];
  text: Map<Slot, string>;
  /** Whether tokenizer_config.json exists (gguf-py only re-points eos when it does). */
  haveConfig: boolean;
}

export function specialVocabKvs(input: SpecialVocabInput, warnings: string[]): { ids: TokenizerKv[]; flags: TokenizerKv[]; chatTemplate: TokenizerKv[] } {
  const { files } = input;
  const config = files.json("tokenizer_config.json");
  const named = namedTokens(files);
  const add = new Map<Slot, boolean>();
  if (files.has("tokenizer.json")) applyPostProcessor(input.postProcessor, named, add, warnings);

  const ids = new Map<Slot, number>();
  const setId = (slot: Slot, id: unknown, source: string) => {
    if (typeof id !== "number" || !Number.isInteger(id) || ids.has(slot)) return;
    if (id < 0 || id >= input.vocabSize) warnings.push(`${source}: ${slot} token id ${id} is outside 0..${input.vocabSize - 1}; skipped`);
    else ids.set(slot, id);
  };
  if (config !== undefined) {
    for (const slot of named.slots) {
      const flag = config[`add_${slot}_token`];
      if (typeof flag === "boolean") add.set(slot, flag);
    }
  }
  for (const slot of named.slots) {
    const text = named.text.get(slot);
    if (text !== undefined) setId(slot, findAdded(input.addedTokens, text), "tokenizer_config.json");
  }
  const modelConfig = files.json("config.json");
  const textConfig = objectField(modelConfig, "text_config");
  for (const slot of named.slots) setId(slot, modelConfig?.[`${slot}_token_id`] ?? textConfig?.[`${slot}_token_id`], "config.json");
  for (const [slot, id] of Object.entries(input.fallbackIds ?? {})) setId(slot as Slot, id, "tokenizer.model");

  return {
    ids: kvsFor(ids, ID_KEYS, T.UINT32, warnings),
    flags: kvsFor(add, ADD_KEYS, T.BOOL, warnings),
    chatTemplate: chatTemplateKvs(files, config, warnings),
  };
}

function namedTokens(files: FolderFiles): NamedTokens {
  const config = files.json("tokenizer_config.json");
  const map = files.json("special_tokens_map.json");
  const text = new Map<Slot, string>();
  for (const slot of SPECIAL_TOKEN_SLOTS) {
    const t = tokenContent(config?.[`${slot}_token`]) ?? tokenContent(map?.[`${slot}_token`]);
    if (t !== undefined) text.set(slot, t);
  }
  // gguf-py: a missing bos/eos falls back to cls/sep.
  if (!text.has("bos") && text.has("cls")) text.set("bos", text.get("cls") as string);
  if (!text.has("eos") && text.has("sep")) text.set("eos", text.get("sep") as string);
  return { slots: [...SPECIAL_TOKEN_SLOTS], text, haveConfig: config !== undefined };
}

function findAdded(tokens: Iterable<AddedToken>, text: string): number | undefined {
  for (const t of tokens) if (t.content === text) return t.id;
  return undefined;
}

function kvsFor<V extends number | boolean>(
  values: Map<Slot, V>,
  keys: Partial<Record<Slot, string>>,
  type: typeof T.UINT32 | typeof T.BOOL,
  warnings: string[],
): TokenizerKv[] {
  const out: TokenizerKv[] = [];
  for (const [slot, value] of values) {
    const key = keys[slot];
    if (key === undefined) warnings.push(`no GGUF key for the ${slot} token ${type === T.BOOL ? "flag" : "id"} (${String(value)}); not written`);
    else out.push({ key, type, value } as TokenizerKv);
  }
  return out;
}

/** tokenizer_config `chat_template` (string, or a list of {name, template}), else chat_template.jinja / .json. */
function chatTemplateKvs(files: FolderFiles, config: Record<string, unknown> | undefined, warnings: string[]): TokenizerKv[] {
  const value = config?.["chat_template"] ?? files.text("chat_template.jinja") ?? files.json("chat_template.json")?.["chat_template"];
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value === "" ? [] : [{ key: TOKENIZER.CHAT_TEMPLATE, type: T.STRING, value }];
  if (!Array.isArray(value)) {
    warnings.push("chat_template is neither a string nor a list of {name, template}; ignored");
    return [];
  }
  const named: TokenizerKv[] = [];
  const names: string[] = [];
  let fallback: string | undefined;
  for (const choice of value) {
    const name = (isObject(choice) ? stringField(choice, "name") ?? "" : "").replace(/[^A-Za-z0-9]/g, "_");
    const template = isObject(choice) ? stringField(choice, "template") : undefined;
    if (name === "" || template === undefined) continue;
    if (name === "default") fallback = template;
    else if (!names.includes(name)) {
      names.push(name);
      named.push({ key: `${TOKENIZER.CHAT_TEMPLATE}.${name}`, type: T.STRING, value: template });
    }
  }
  if (names.length > 0) named.push({ key: "tokenizer.chat_templates", type: T.ARRAY, value: { elementType: T.STRING, values: names } });
  if (fallback !== undefined) named.push({ key: TOKENIZER.CHAT_TEMPLATE, type: T.STRING, value: fallback });
  return named;
}
