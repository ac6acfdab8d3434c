/**
 * add_bos / add_eos / add_sep from tokenizer.json's `post_processor`, as gguf-py's SpecialVocab
 * reads it (a crude reading of simple templates, by its own admission):
 * - RobertaProcessing: all three true;
 * - TemplateProcessing `single` [X, A, …, Y]: add_bos = (X is bos or cls); a trailing special Y
 *   sets add_eos, and when Y is not the configured eos, Y becomes eos and the old eos moves to
 *   eot (or eom); `pair` [X?, A, m1, m2?, B, Y?]: add_sep = (m1 is sep/eos and there is no Y) or
 *   (m2 is sep/eos), recorded only when there is a middle part.
 */
import { isObject } from "./files.js";
import type { NamedTokens } from "./special-vocab.js";

type Flags = Map<NamedTokens["slots"][number], boolean>;

function itemId(item: unknown, kind: "SpecialToken" | "Sequence"): string | undefined {
  const inner = isObject(item) ? item[kind] : undefined;
  const id = isObject(inner) ? inner["id"] : undefined;
  return typeof id === "string" && id !== "" ? id : undefined;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function applyPostProcessor(
  postProcessor: Record<string, unknown> | undefined,
  named: NamedTokens,
  add: Flags,
  warnings: string[],
): void {
  if (postProcessor === undefined) return;
  const processors = Array.isArray(postProcessor["processors"]) ? postProcessor["processors"] : [postProcessor];
  for (const p of processors) {
    if (!isObject(p)) continue;
    if (p["type"] === "RobertaProcessing") roberta(p, named, add);
    else if (p["type"] === "TemplateProcessing") template(p, named, add, warnings);
  }
}

function roberta(p: Record<string, unknown>, named: NamedTokens, add: Flags): void {
  add.set("bos", true);
  add.set("eos", true);
  add.set("sep", true);
  if (!named.haveConfig) return;
  const first = (v: unknown) => (typeof list(v)[0] === "string" ? (list(v)[0] as string) : undefined);
  if (!named.text.has("cls")) setText(named, "cls", first(p["cls"]) ?? named.text.get("bos"));
  if (!named.text.has("sep")) setText(named, "sep", first(p["sep"]) ?? named.text.get("eos"));
}

function setText(named: NamedTokens, slot: NamedTokens["slots"][number], text: string | undefined): void {
  if (text !== undefined) named.text.set(slot, text);
}

function template(p: Record<string, unknown>, named: NamedTokens, add: Flags, warnings: string[]): void {
  const single = list(p["single"]);
  let first: string | undefined;
  let last: string | undefined;
  if (single.length > 1) {
    first = itemId(single[0], "SpecialToken");
    if (first !== undefined) {
      if (!named.haveConfig) named.text.set("bos", first);
      const known = first === named.text.get("bos") || first === named.text.get("cls");
      add.set("bos", known);
      if (!known) warnings.push(`post_processor: unknown leading special token ${JSON.stringify(first)}`);
    }
    last = itemId(single[single.length - 1], "SpecialToken");
    if (last !== undefined) {
      const eos = named.text.get("eos");
      if (!named.haveConfig) named.text.set("eos", last);
      else if (last !== eos) repointEos(named, last, warnings);
      add.set("eos", last === named.text.get("eos"));
    }
  }
  const pair = list(p["pair"]);
  if (pair.length === 0) return;
  const start = first !== undefined && itemId(pair[0], "SpecialToken") === first ? 1 : 0;
  const stop = last !== undefined && itemId(pair[pair.length - 1], "SpecialToken") === last ? pair.length - 1 : pair.length;
  const inner = pair.slice(start, stop);
  if (inner.length === 0) return;
  if (itemId(inner[0], "Sequence") !== "A" || itemId(inner[inner.length - 1], "Sequence") !== "B") {
    warnings.push("post_processor: the pair template is not A … B; add_sep_token not derived");
    return;
  }
  const middle = inner.slice(1, -1);
  if (middle.length === 0) return;
  const isSep = (id: string | undefined) => id !== undefined && (id === named.text.get("sep") || id === named.text.get("eos"));
  const m1 = itemId(middle[0], "SpecialToken");
  let addSep = isSep(m1) && last === undefined;
  if (middle.length === 2 && isSep(itemId(middle[1], "SpecialToken"))) addSep = true;
  add.set("sep", addSep);
  if (addSep && !named.text.has("sep") && named.haveConfig) setText(named, "sep", named.text.get("eos"));
}

/** The template ends in `last`, not the configured eos: `last` becomes eos, the old eos eot (or eom). */
function repointEos(named: NamedTokens, last: string, warnings: string[]): void {
  const old = named.text.get("eos");
  const spare = !named.slots.includes("eot") ? "eot" : !named.slots.includes("eom") ? "eom" : undefined;
  if (spare === undefined) warnings.push(`post_processor: eos ${JSON.stringify(old)} replaced by ${JSON.stringify(last)} with no eot/eom slot left`);
  else {
    named.slots.push(spare);
    setText(named, spare, old);
  }
  named.text.set("eos", last);
}
