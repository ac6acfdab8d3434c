/**
 * The tokenizer room's input: the files of a model folder, already read, by file name. Keeping
 * file access out of the library makes it pure (the Node loader is `load-files.ts`).
 */
import { fail } from "../../core/errors.js";

/** File name (as in the model folder, e.g. "tokenizer.json") → contents, as text or bytes. */
export type TokenizerFiles = Readonly<Record<string, string | Uint8Array | undefined>>;

/** Every file the tokenizer room may read; `loadTokenizerFiles` reads those that exist. */
export const TOKENIZER_FILE_NAMES = [
  "tokenizer.json",
  "tokenizer.model",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "added_tokens.json",
  "config.json",
  "chat_template.jinja",
  "chat_template.json",
] as const;

export type TokenizerFileName = (typeof TOKENIZER_FILE_NAMES)[number];

const utf8 = new TextDecoder("utf-8", { fatal: true });

function hasFile(files: TokenizerFiles, name: TokenizerFileName): boolean {
  return files[name] !== undefined;
}

/** A binary file's bytes, or undefined when absent (text would have lost bytes, so it is refused). */
function fileBytes(files: TokenizerFiles, name: TokenizerFileName): Uint8Array | undefined {
  const content = files[name];
  if (typeof content === "string") fail("INVALID_CONFIG", { file: name, detail: "binary file given as text; pass its bytes" });
  return content;
}

/** The file as text (UTF-8, a leading BOM dropped), or undefined when absent. */
function fileText(files: TokenizerFiles, name: TokenizerFileName): string | undefined {
  const content = files[name];
  if (content === undefined) return undefined;
  let text: string;
  if (typeof content === "string") text = content;
  else {
    try {
      text = utf8.decode(content);
    } catch (cause) {
      fail("INVALID_CONFIG", { file: name, detail: "not valid UTF-8", cause });
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A JSON object from the file, or undefined when absent; anything else is INVALID_CONFIG. */
function fileJson(files: TokenizerFiles, name: TokenizerFileName): Record<string, unknown> | undefined {
  const text = fileText(files, name);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    fail("INVALID_CONFIG", { file: name, detail: `not valid JSON (${(cause as Error).message})`, cause });
  }
  if (!isObject(value)) fail("INVALID_CONFIG", { file: name, detail: "the top-level JSON value is not an object" });
  return value;
}

/** The files with each JSON file parsed at most once (tokenizer.json can be megabytes). */
export class FolderFiles {
  private readonly parsed = new Map<TokenizerFileName, Record<string, unknown> | undefined>();

  constructor(readonly files: TokenizerFiles) {}

  has(name: TokenizerFileName): boolean {
    return hasFile(this.files, name);
  }

  text(name: TokenizerFileName): string | undefined {
    return fileText(this.files, name);
  }

  bytes(name: TokenizerFileName): Uint8Array | undefined {
    return fileBytes(this.files, name);
  }

  json(name: TokenizerFileName): Record<string, unknown> | undefined {
    if (!this.parsed.has(name)) this.parsed.set(name, fileJson(this.files, name));
    return this.parsed.get(name);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `obj[key]` when it is an object, else undefined. */
export function objectField(obj: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const v = obj?.[key];
  return isObject(v) ? v : undefined;
}

/** `obj[key]` when it is a string, else undefined. */
export function stringField(obj: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === "string" ? v : undefined;
}

/** `obj[key]` when it is a boolean, else undefined. */
export function boolField(obj: Record<string, unknown> | undefined, key: string): boolean | undefined {
  const v = obj?.[key];
  return typeof v === "boolean" ? v : undefined;
}

/** `obj[key]` when it is a non-negative safe integer, else undefined. */
export function idField(obj: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = obj?.[key];
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}
