/**
 * A strict JSON parser for headers and index files. Unlike `JSON.parse` it
 * - rejects duplicate object keys (JSON.parse silently keeps the last one),
 * - keeps numbers as their source text (integers beyond 2^53 stay exact),
 * - stores objects in Maps (keys like `__proto__` are plain strings),
 * - rejects lone surrogate escapes (as serde_json does) and caps nesting depth,
 * - reports absolute byte offsets in the file.
 */
import { fail, type ErrorCode } from "../../src/core/errors.js";

/** A JSON number as written; interpret it with `unsignedInteger`. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A JSON object: entries in document order, plus where each key starts (character index). */
export class JsonObject {
  readonly entries = new Map<string, JsonValue>();
  readonly keyPositions = new Map<string, number>();
}

export type JsonValue = string | boolean | null | JsonNumber | JsonValue[] | JsonObject;

export interface JsonContext {
  /** File name for error messages. */
  file: string;
  /** Absolute byte offset of the text's first character in the file. */
  baseOffset: number;
  /** Code for syntax errors (INVALID_JSON for headers, INVALID_INDEX for index files). */
  syntaxCode: ErrorCode;
  maxDepth: number;
}

const encoder = new TextEncoder();

/** Absolute byte offset of character `index` of `text` (only computed when reporting). */
export function byteOffsetOf(text: string, index: number, ctx: JsonContext): number {
  return ctx.baseOffset + encoder.encode(text.slice(0, index)).length;
}

/** The number as a non-negative integer, or undefined if written with a sign, fraction or exponent. */
export function unsignedInteger(n: JsonNumber): bigint | undefined {
  return /^(0|[1-9][0-9]*)$/.test(n.text) ? BigInt(n.text) : undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NEEDS_SLOW_PATH = /[\u0000-\u001f\\]/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

class Parser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly ctx: JsonContext,
  ) {}

  fail(detail: string, at = this.pos, code = this.ctx.syntaxCode): never {
    fail(code, { file: this.ctx.file, offset: byteOffsetOf(this.text, at, this.ctx), detail });
  }

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  expect(ch: string): void {
    this.skipWhitespace();
    if (this.text[this.pos] !== ch) this.unexpected(`'${ch}'`);
    this.pos++;
  }

  unexpected(wanted: string): never {
    if (this.pos >= this.text.length) this.fail(`unexpected end of JSON, expected ${wanted}`);
    this.fail(`unexpected ${JSON.stringify(this.text[this.pos])}, expected ${wanted}`);
  }

  value(depth: number): JsonValue {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === "{" || c === "[") {
      if (depth >= this.ctx.maxDepth) this.fail(`JSON nested deeper than ${this.ctx.maxDepth} levels`, this.pos, "LIMIT_EXCEEDED");
      return c === "{" ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, val] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return val;
      }
    }
    return this.unexpected("a JSON value");
  }

  object(depth: number): JsonObject {
    const obj = new JsonObject();
    this.pos++; // '{'
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.unexpected("a string key");
      const keyAt = this.pos;
      const key = this.string();
      if (obj.entries.has(key)) this.fail(`key ${JSON.stringify(key)} appears twice`, keyAt, "DUPLICATE_KEY");
      this.expect(":");
      obj.entries.set(key, this.value(depth));
      obj.keyPositions.set(key, keyAt);
      this.skipWhitespace();
      const sep = this.text[this.pos];
      this.pos++;
      if (sep === "}") return obj;
      if (sep !== ",") {
        this.pos--;
        this.unexpected("',' or '}'");
      }
    }
  }

  array(depth: number): JsonValue[] {
    const items: JsonValue[] = [];
    this.pos++; // '['
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value(depth));
      this.skipWhitespace();
      const sep = this.text[this.pos];
      this.pos++;
      if (sep === "]") return items;
      if (sep !== ",") {
        this.pos--;
        this.unexpected("',' or ']'");
      }
    }
  }

  string(): string {
    const start = ++this.pos; // after '"'
    const end = this.text.indexOf('"', start);
    if (end < 0) this.fail("unterminated string", start - 1);
    const raw = this.text.slice(start, end);
    if (!NEEDS_SLOW_PATH.test(raw)) {
      this.pos = end + 1;
      return raw;
    }
    return this.escapedString();
  }

  /** Character by character, from `pos` (just after the opening quote). */
  escapedString(): string {
    const t = this.text;
    let out = "";
    let runStart = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(runStart, this.pos++);
        return out;
      }
      if (c < 0x20) this.fail(`control character U+${c.toString(16).padStart(4, "0")} in string`);
      if (c === 0x5c) {
        out += t.slice(runStart, this.pos) + this.escape();
        runStart = this.pos;
      } else {
        this.pos++;
      }
    }
    return this.fail("unterminated string");
  }

  /** One escape sequence at `pos` (the backslash); surrogate pairs are decoded together. */
  escape(): string {
    const at = this.pos;
    const kind = this.text[this.pos + 1];
    if (kind !== "u") {
      const simple = kind === undefined ? undefined : SIMPLE_ESCAPES[kind];
      if (simple === undefined) this.fail(`invalid escape '\\${kind ?? ""}'`, at);
      this.pos += 2;
      return simple;
    }
    const unit = this.hex4(at);
    if (unit >= 0xdc00 && unit <= 0xdfff) this.fail("lone trailing surrogate in \\u escape", at);
    if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
    if (this.text[this.pos] !== "\\" || this.text[this.pos + 1] !== "u") this.fail("lone leading surrogate in \\u escape", at);
    const low = this.hex4(this.pos);
    if (low < 0xdc00 || low > 0xdfff) this.fail("lone leading surrogate in \\u escape", at);
    return String.fromCharCode(unit, low);
  }

  /** The four hex digits of a `\uXXXX` escape starting at `at`; moves past it. */
  hex4(at: number): number {
    const digits = this.text.slice(at + 2, at + 6);
    if (!HEX4.test(digits)) this.fail("invalid \\u escape", at);
    this.pos = at + 6;
    return parseInt(digits, 16);
  }

  number(): JsonNumber {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail("invalid number");
    const next = this.text.charCodeAt(this.pos + m[0].length);
    // "01", "1.", "2e" and the like: the longest valid prefix must not run into more number characters.
    if ((next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45) this.fail("invalid number");
    this.pos += m[0].length;
    return new JsonNumber(m[0]);
  }
}

/** Parses one JSON value filling `text`, surrounded by optional whitespace. */
export function parseJson(text: string, ctx: JsonContext): JsonValue {
  const parser = new Parser(text, ctx);
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos < text.length) parser.fail("unexpected characters after the JSON value");
  return value;
}
