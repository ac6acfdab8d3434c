/**
 * zod building blocks for config.json fields, each carrying the plain-words expectation used in
 * error messages ("expected a positive integer, got -1"), and the issue → INVALID_CONFIG bridge.
 */
import { z } from "zod";
import { fail } from "../core/errors.js";

/** zod's `error` option: every issue of the schema says what was expected, in words. */
const expecting = (what: string) => ({ error: () => `expected ${what}` });

export const positiveInt = z.int(expecting("a positive integer")).positive(expecting("a positive integer"));
export const tokenId = z.int(expecting("a non-negative integer")).nonnegative(expecting("a non-negative integer"));
export const positiveNumber = z.number(expecting("a positive finite number")).positive(expecting("a positive finite number"));
export const flag = z.boolean(expecting("true or false"));
export const text = z.string(expecting("a string"));
export const textList = z.array(text, expecting("a list of strings"));
export const tokenIds = z.union([tokenId, z.array(tokenId, expecting("a list of token ids"))], expecting("a token id or a list of token ids"));

/** An optional field: JSON null counts as absent, as in transformers. */
export const optional = <T extends z.ZodType>(schema: T) => schema.nullish();

/** One of `values`, spelled out in the message. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expecting(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`));
}

/** An object whose unknown fields are kept (configs carry many fields ternpack does not read). */
export function section<T extends z.ZodRawShape>(shape: T) {
  return z.looseObject(shape, expecting("an object"));
}

/** `a.b[2].c` for messages. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/** The value that was found, for messages: JSON, shortened. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** Parses `raw` with `schema`, or fails INVALID_CONFIG naming every bad field of `file`. */
export function parseOrFail<T extends z.ZodType>(schema: T, raw: unknown, file: string): z.output<T> {
  const result = schema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const input = "input" in issue ? issue.input : undefined;
    const where = issue.path.length === 0 ? "" : `${fieldPath(issue.path)}: `;
    return `${where}${issue.message}, got ${describeValue(input)}`;
  });
  return fail("INVALID_CONFIG", { detail: `${file}: ${problems.join("; ")}` });
}

/** INVALID_CONFIG for a field whose value is well-formed but not acceptable. */
export function badField(file: string, field: string, message: string): never {
  return fail("INVALID_CONFIG", { detail: `${file}: ${field}: ${message}` });
}
