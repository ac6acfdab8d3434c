/**
 * The YAML front matter of a Hugging Face model card, for the subset cards use: top-level
 * `key: value` entries whose values are scalars (plain, 'single' or "double" quoted; numbers,
 * booleans, null) or lists of scalars (block `- item` lines or flow `[a, b]`). Any other value
 * (nested maps such as `model-index`, block scalars `|`/`>`, anchors) is kept as its verbatim
 * text: it is never interpreted, and written back byte for byte unless the key is replaced.
 * Written strings are quoted whenever YAML 1.1 (PyYAML, used by huggingface_hub) or YAML 1.2
 * could read them as anything but that string (numbers, dates, yes/no, `: `, `#`, …).
 */
import { fail } from "../core/errors.js";

export type Scalar = string | number | boolean | null;
/** Text of a value ternpack does not interpret (everything after `key:`, newlines included). */
export interface RawYaml {
  raw: string;
}
export type FrontMatterValue = Scalar | Scalar[] | RawYaml;

export interface FrontMatterEntry {
  key: string;
  value: FrontMatterValue;
  /** The entry's source lines, when it was read and not changed since. */
  text?: string;
}

export interface ModelCardText {
  /** Comment and blank lines before the first key. */
  preamble: string;
  entries: FrontMatterEntry[];
  /** Everything after the closing `---`. */
  body: string;
  hadFrontMatter: boolean;
}

const KEY_LINE = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[A-Za-z0-9_][\w.\-/]*)\s*:(?:\s+(.*))?$/;
const LIST_ITEM = /^(\s*)-(?:\s+(.*))?$/;
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A scalar's text without a trailing ` # comment` outside quotes. */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

/** The scalar `text` stands for, or undefined when it is not one this reader interprets. */
export function parseScalar(text: string): Scalar | undefined {
  const t = stripComment(text.trim());
  if (t.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$/.test(t)) return undefined;
    return JSON.parse(t) as string;
  }
  if (t.startsWith("'")) return /^'(?:[^']|'')*'$/.test(t) ? t.slice(1, -1).replaceAll("''", "'") : undefined;
  if (t === "" || t === "~" || /^null$/i.test(t)) return null;
  if (/^true$/i.test(t)) return true;
  if (/^false$/i.test(t)) return false;
  if (NUMBER.test(t)) return Number(t);
  if (/^[[\]{}&*!|>%@`,]/.test(t) || t.includes(": ")) return undefined;
  return t;
}

function parseFlowList(text: string): Scalar[] | undefined {
  const t = stripComment(text.trim());
  if (!t.startsWith("[") || !t.endsWith("]")) return undefined;
  const inner = t.slice(1, -1).trim();
  if (inner === "") return [];
  const items: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "]" || c === "{" || c === "}") return undefined;
    else if (c === ",") {
      items.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  items.push(inner.slice(start));
  const values = items.map(parseScalar);
  return values.every((v) => v !== undefined) ? (values as Scalar[]) : undefined;
}

/** Interprets one entry: `inline` is the text after the colon, `rest` its continuation lines. */
function parseValue(inline: string, rest: string[]): FrontMatterValue {
  const raw = { raw: [inline, ...rest].join("\n") };
  const content = rest.filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  if (inline.trim() !== "" && !inline.trim().startsWith("#")) {
    if (content.length > 0) return raw;
    return parseFlowList(inline) ?? parseScalar(inline) ?? raw;
  }
  if (content.length === 0) return null;
  const items = content.map((l) => LIST_ITEM.exec(l));
  const indent = items[0]?.[1];
  if (items.some((m) => m === null || m[1] !== indent)) return raw;
  const values = items.map((m) => parseScalar(m![2] ?? ""));
  return values.every((v) => v !== undefined) ? (values as Scalar[]) : raw;
}

/** Splits a README.md into front matter and body. USAGE-free: a card without front matter is all body. */
export function readModelCard(text: string): ModelCardText {
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const lines = src.split(/\r?\n/);
  if (lines[0]?.trimEnd() !== "---") return { preamble: "", entries: [], body: src, hadFrontMatter: false };
  const end = lines.findIndex((l, i) => i > 0 && (l.trimEnd() === "---" || l.trimEnd() === "..."));
  if (end < 0) fail("INVALID_VALUE", { tensor: "README.md", detail: "the front matter opened by '---' on line 1 is never closed" });
  const preamble: string[] = [];
  const groups: { key: string; inline: string; lines: string[] }[] = [];
  for (const line of lines.slice(1, end)) {
    const m = /^\s/.test(line) || line.startsWith("-") || line.startsWith("#") || line.trim() === "" ? null : KEY_LINE.exec(line);
    if (m) groups.push({ key: unquoteKey(m[1]!), inline: m[2] ?? "", lines: [line] });
    else if (groups.length > 0) groups.at(-1)!.lines.push(line);
    else if (line.trim() === "" || line.trim().startsWith("#")) preamble.push(line);
    else fail("INVALID_VALUE", { tensor: "README.md", detail: `front matter line ${JSON.stringify(line)} is not a 'key: value' entry` });
  }
  const entries = groups.map((g) => {
    const trailing = trailingBlankCount(g.lines);
    const own = g.lines.slice(0, g.lines.length - trailing);
    return { key: g.key, value: parseValue(g.inline, own.slice(1)), text: g.lines.join("\n") };
  });
  return { preamble: preamble.join("\n"), entries, body: lines.slice(end + 1).join("\n"), hadFrontMatter: true };
}

function trailingBlankCount(lines: string[]): number {
  let n = 0;
  while (n < lines.length - 1 && lines[lines.length - 1 - n]!.trim() === "") n++;
  return n;
}

function unquoteKey(k: string): string {
  if (k.startsWith('"')) return JSON.parse(k) as string;
  if (k.startsWith("'")) return k.slice(1, -1).replaceAll("''", "'");
  return k;
}

const YAML11_WORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i;

/** A scalar as YAML text that every YAML reader reads back as the same value. */
export function formatScalar(v: Scalar): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) fail("INVALID_VALUE", { detail: `a model card value is ${v}` });
    return String(v);
  }
  const plain = /^[A-Za-z][\w.+/-]*(?: [\w.+/()-]+)*$/.test(v) && !YAML11_WORDS.test(v);
  return plain ? v : JSON.stringify(v);
}

function formatEntry(e: FrontMatterEntry): string {
  if (e.text !== undefined) return e.text;
  const key = /^[A-Za-z_][\w.-]*$/.test(e.key) ? e.key : JSON.stringify(e.key);
  const v = e.value;
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return `${key}:${v.raw.startsWith("\n") ? "" : " "}${v.raw}`;
  if (Array.isArray(v)) return v.length === 0 ? `${key}: []` : [`${key}:`, ...v.map((x) => `- ${formatScalar(x)}`)].join("\n");
  return `${key}: ${formatScalar(v)}`;
}

/** The README.md text: front matter (when it has entries or had one) and body. */
export function writeModelCard(card: ModelCardText): string {
  if (card.entries.length === 0 && !card.hadFrontMatter) return card.body;
  const head = [...(card.preamble ? [card.preamble] : []), ...card.entries.map(formatEntry)];
  return ["---", ...head, "---", card.body].join("\n");
}

export interface MergeNote {
  key: string;
  /** The card's value, which was kept. */
  kept: FrontMatterValue;
  /** What ternpack would have written. */
  ours: Scalar | Scalar[];
}

const sameValue = (a: FrontMatterValue, b: Scalar | Scalar[]): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Adds ternpack's entries to a card's front matter without overwriting it: a key the card lacks
 * (or holds null) gets ours; a list the card has gets our missing items appended (the card's
 * order kept); any other existing value is kept, and reported in `notes` when it differs.
 */
export function mergeFrontMatter(card: ModelCardText, ours: readonly (readonly [string, Scalar | Scalar[]])[]): { card: ModelCardText; notes: MergeNote[] } {
  const entries = card.entries.map((e) => ({ ...e }));
  const notes: MergeNote[] = [];
  for (const [key, value] of ours) {
    const at = entries.findIndex((e) => e.key === key);
    const existing = entries[at];
    if (!existing || existing.value === null) {
      const entry = { key, value: Array.isArray(value) ? [...value] : value };
      if (existing) entries[at] = entry;
      else entries.push(entry);
    } else if (Array.isArray(value) && (Array.isArray(existing.value) || typeof existing.value !== "object")) {
      const have = Array.isArray(existing.value) ? existing.value : [existing.value];
      const missing = value.filter((v) => !have.includes(v));
      if (missing.length > 0 || !Array.isArray(existing.value)) entries[at] = { key, value: [...have, ...missing] };
    } else if (!sameValue(existing.value, value)) notes.push({ key, kept: existing.value, ours: value });
  }
  return { card: { ...card, entries }, notes };
}
