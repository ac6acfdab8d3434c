/**
 * Added tokens and named special tokens, gathered from every file that may declare them:
 * tokenizer.json `added_tokens` (what the fast tokenizer uses, so it wins), tokenizer_config.json
 * `added_tokens_decoder`, and the slow tokenizers' added_tokens.json; the special-token names
 * (`bos_token`, …, `additional_special_tokens`) from tokenizer_config.json and special_tokens_map.json.
 */
import { fail } from "../../core/errors.js";
import { isObject, type FolderFiles } from "./files.js";
import type { AddedToken } from "./hf-tokenizer-json.js";

/** The special-token slots transformers knows, in gguf-py's order. */
export const SPECIAL_TOKEN_SLOTS = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"] as const;

/** Added tokens by id; `warnings` notes sources that disagree. */
export function collectAddedTokens(
  files: FolderFiles,
  fromTokenizerJson: readonly AddedToken[],
  warnings: string[],
): Map<number, AddedToken> {
  const byId = new Map<number, AddedToken>();
  const add = (t: AddedToken, source: string) => {
    const known = byId.get(t.id);
    if (known === undefined) byId.set(t.id, t);
    else if (known.content !== t.content) {
      warnings.push(`${source} names token ${t.id} ${JSON.stringify(t.content)}, tokenizer.json has ${JSON.stringify(known.content)}; keeping the latter`);
    }
  };
  for (const t of fromTokenizerJson) add(t, "tokenizer.json");

  const decoder = files.json("tokenizer_config.json")?.["added_tokens_decoder"];
  if (isObject(decoder)) {
    for (const key of Object.keys(decoder)) {
      const entry = decoder[key];
      const id = Number(key);
      const content = isObject(entry) ? entry["content"] : undefined;
      if (!Number.isSafeInteger(id) || id < 0 || typeof content !== "string") {
        fail("INVALID_CONFIG", { file: "tokenizer_config.json", detail: `added_tokens_decoder[${JSON.stringify(key)}] needs an integer key and a string "content"` });
      }
      add({ id, content, special: (entry as Record<string, unknown>)["special"] === true }, "tokenizer_config.json");
    }
  }

  const slow = files.json("added_tokens.json");
  if (slow !== undefined) {
    for (const content of Object.keys(slow)) {
      const id = slow[content];
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) {
        fail("INVALID_CONFIG", { file: "added_tokens.json", detail: `${JSON.stringify(content)} maps to ${String(id)}, not a token id` });
      }
      add({ id, content, special: false }, "added_tokens.json");
    }
  }
  return byId;
}

/** The text of a `*_token` entry: a string or an AddedToken-like `{content}` object. */
export function tokenContent(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (isObject(entry) && typeof entry["content"] === "string") return entry["content"];
  return undefined;
}

/** Every token text transformers counts as special (its `all_special_tokens`). */
export function namedSpecialTexts(files: FolderFiles): Set<string> {
  const texts = new Set<string>();
  for (const name of ["tokenizer_config.json", "special_tokens_map.json"] as const) {
    const json = files.json(name);
    if (json === undefined) continue;
    for (const slot of SPECIAL_TOKEN_SLOTS) {
      const text = tokenContent(json[`${slot}_token`]);
      if (text !== undefined) texts.add(text);
    }
    const extra = json["additional_special_tokens"];
    if (Array.isArray(extra)) {
      for (const e of extra) {
        const text = tokenContent(e);
        if (text !== undefined) texts.add(text);
      }
    }
  }
  return texts;
}
