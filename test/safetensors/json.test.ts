/** The strict JSON parser agrees with JSON.parse, except where it is stricter on purpose. */
import { describe, expect, it } from "vitest";
import { TernpackError } from "../../src/core/errors.js";
import { JsonNumber, JsonObject, parseJson, type JsonValue } from "../../formats/safetensors/json.js";
import { prng } from "./helpers.js";

const ctx = { file: "t.json", baseOffset: 100, syntaxCode: "INVALID_JSON" as const, maxDepth: 64 };

/** Our value in JSON.parse's shape. */
function plain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof JsonObject) return Object.fromEntries([...v.entries].map(([k, x]) => [k, plain(x)]));
  return v;
}

function outcome(parse: () => unknown): unknown {
  try {
    return { ok: parse() };
  } catch (e) {
    return { error: e instanceof TernpackError ? "TernpackError" : "SyntaxError" };
  }
}

const SAMPLES = [
  '{"a":[1,-0,2.5e-3,1E+2,0.0],"b":{"c":null,"d":true,"e":false},"f":"x\\n\\t\\"\\\\\\/\\u00e4\\ud83d\\ude00"}',
  " [ 1 , 2 ] ",
  '"plain"',
  "01",
  "1.",
  ".5",
  "-",
  "+1",
  "1e",
  "[1,]",
  '{"a":1,}',
  '{"a" 1}',
  "[1 2]",
  '"\\x"',
  '"tab\there"',
  "tru",
  "nulls",
  "{}{}",
  "",
  "[",
  '{"a":',
  '"\\u12"',
  "1e400",
  "-0.0e-0",
];

describe("strict JSON parser", () => {
  it("accepts and rejects the same samples as JSON.parse, with the same values", () => {
    for (const s of SAMPLES) {
      const ours = outcome(() => plain(parseJson(s, ctx)));
      const theirs = outcome(() => JSON.parse(s));
      expect({ s, r: ours }).toEqual({ s, r: theirs instanceof Object && "error" in theirs ? { error: "TernpackError" } : theirs });
    }
  });

  it("agrees with JSON.parse on 2,000 random documents and their one-character corruptions", () => {
    const r = prng(99);
    const leaf = () => r.pick<unknown>([0, -1, 1.5e-7, 123456789012, "s", "ä\n\"", "😀", true, false, null, "\u0001"]);
    const value = (depth: number): unknown => {
      if (depth > 3 || r.int(3) === 0) return leaf();
      if (r.int(2) === 0) return Array.from({ length: r.int(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: r.int(4) }, (_, i) => [`k${i}`, value(depth + 1)]));
    };
    const CHARS = ['"', ",", "]", "}", "\\", "1", "-", "e", ".", " ", "x"];
    for (let i = 0; i < 2000; i++) {
      const text = JSON.stringify(value(0), null, r.int(2) === 0 ? undefined : 1);
      expect(plain(parseJson(text, ctx))).toEqual(JSON.parse(text));
      const at = r.int(text.length + 1);
      const broken = text.slice(0, at) + r.pick(CHARS) + text.slice(at + r.int(2));
      const ok = outcome(() => JSON.parse(broken));
      const ours = outcome(() => plain(parseJson(broken, ctx)));
      // JSON.parse accepts duplicate keys; ours does not. Otherwise both agree.
      if ("error" in (ours as object) && !("error" in (ok as object))) {
        expect(() => parseJson(broken, ctx)).toThrow(/DUPLICATE_KEY/);
      } else {
        expect(ours).toEqual("error" in (ok as object) ? { error: "TernpackError" } : ok);
      }
    }
  });

  it("keeps integers exact and reports absolute byte offsets", () => {
    const v = parseJson('{"n":18446744073709551615}', ctx) as JsonObject;
    expect((v.entries.get("n") as JsonNumber).text).toBe("18446744073709551615");
    try {
      parseJson('{"ä":1,"ä":2}', ctx);
      expect.unreachable();
    } catch (e) {
      expect((e as TernpackError).code).toBe("DUPLICATE_KEY");
      expect((e as TernpackError).offset).toBe(100 + 8); // '{"ä":1,' is 8 bytes (ä is 2)
    }
  });
});
