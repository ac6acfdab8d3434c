import { describe, expect, it } from "vitest";
import { formatScalar, mergeFrontMatter, parseScalar, readModelCard, writeModelCard } from "../../src/hub/front-matter.js";

/** A card in the shapes the Hub's cards use: comments, both list styles, quoting, a nested model-index. */
const CARD = [
  "---",
  "# written by hand",
  "language:",
  "  - en",
  "  - fr",
  "license: apache-2.0 # the code's license",
  'base_model: "microsoft/bitnet-b1.58-2B-4T"',
  "datasets: [roneneldan/TinyStories, 'HuggingFaceFW/fineweb-edu']",
  "inference: false",
  "eval_ppl: 12.5",
  "thumbnail:",
  "model-index:",
  "- name: tiny",
  "  results:",
  "  - task:",
  "      type: text-generation",
  "widget:",
  "  - text: |",
  "      Once upon a time",
  "",
  "---",
  "# Tiny",
  "",
  "Hand-written body.",
  "",
].join("\n");

describe("model card front matter: reading", () => {
  it("writes an unchanged card back byte for byte", () => {
    expect(writeModelCard(readModelCard(CARD))).toBe(CARD);
  });

  it("interprets scalars and lists, keeps nested values as their text", () => {
    const card = readModelCard(CARD);
    const value = (key: string) => card.entries.find((e) => e.key === key)?.value;
    expect(card.entries.map((e) => e.key)).toEqual(["language", "license", "base_model", "datasets", "inference", "eval_ppl", "thumbnail", "model-index", "widget"]);
    expect(card.preamble).toBe("# written by hand");
    expect(value("language")).toEqual(["en", "fr"]);
    expect(value("license")).toBe("apache-2.0");
    expect(value("base_model")).toBe("microsoft/bitnet-b1.58-2B-4T");
    expect(value("datasets")).toEqual(["roneneldan/TinyStories", "HuggingFaceFW/fineweb-edu"]);
    expect(value("inference")).toBe(false);
    expect(value("eval_ppl")).toBe(12.5);
    expect(value("thumbnail")).toBeNull();
    expect(value("model-index")).toEqual({ raw: "\n- name: tiny\n  results:\n  - task:\n      type: text-generation" });
    expect(value("widget")).toEqual({ raw: "\n  - text: |\n      Once upon a time" });
    expect(card.body).toBe("# Tiny\n\nHand-written body.\n");
  });

  it("reads quoted scalars with their escapes", () => {
    expect(parseScalar(`"a \\"b\\" \\u00e9\\n"`)).toBe('a "b" é\n');
    expect(parseScalar(`'it''s'`)).toBe("it's");
    expect(parseScalar("~")).toBeNull();
    expect(parseScalar("True")).toBe(true);
    expect(parseScalar("-3e2")).toBe(-300);
    expect(parseScalar("{a: 1}")).toBeUndefined();
    expect(parseScalar(`"\\x41"`)).toBeUndefined();
  });

  it("a README without front matter is all body; an unclosed one is refused", () => {
    const plain = "# Title\n\ntext\n";
    expect(readModelCard(plain)).toEqual({ preamble: "", entries: [], body: plain, hadFrontMatter: false });
    expect(writeModelCard(readModelCard(plain))).toBe(plain);
    expect(() => readModelCard("---\nlicense: mit\n# no end\n")).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
    expect(() => readModelCard("---\nlicense mit\n---\n")).toThrow(/not a 'key: value' entry/);
  });
});

describe("model card front matter: writing", () => {
  const tricky = ["yes", "No", "on", "OFF", "y", "null", "true", "1.58-bit", "2024-01-01", "1e3", "0x1F", "~", "", "a: b", "#tag", "x #y", " lead", "trail ", "-dash", "[x]", "it's", 'say "hi"', "é"];

  it("quotes every string YAML could read as something else, and reads it back unchanged", () => {
    for (const s of tricky) {
      const text = formatScalar(s);
      expect(text.startsWith('"'), s).toBe(true);
      expect(parseScalar(text), s).toBe(s);
    }
  });

  it("leaves ordinary identifiers plain", () => {
    for (const s of ["bitnet", "apache-2.0", "text-generation", "owner/name", "tq2_0", "llama3.1"]) expect(formatScalar(s)).toBe(s);
    expect(formatScalar(2.0625)).toBe("2.0625");
    expect(formatScalar(false)).toBe("false");
  });
});

describe("model card front matter: merging", () => {
  it("adds what is missing, unites lists, keeps existing values and says so", () => {
    const { card, notes } = mergeFrontMatter(readModelCard(CARD), [
      ["base_model", "someone/else"],
      ["license", "mit"],
      ["language", ["fr", "de"]],
      ["thumbnail", "img.png"],
      ["tags", ["bitnet", "ternary"]],
      ["model-index", "replaced?"],
    ]);
    const text = writeModelCard(card);
    const again = readModelCard(text);
    const value = (key: string) => again.entries.find((e) => e.key === key)?.value;
    expect(value("base_model")).toBe("microsoft/bitnet-b1.58-2B-4T");
    expect(value("license")).toBe("apache-2.0");
    expect(value("language")).toEqual(["en", "fr", "de"]);
    expect(value("thumbnail")).toBe("img.png");
    expect(value("tags")).toEqual(["bitnet", "ternary"]);
    expect(value("model-index")).toEqual({ raw: "\n- name: tiny\n  results:\n  - task:\n      type: text-generation" });
    expect(notes.map((n) => n.key)).toEqual(["base_model", "license", "model-index"]);
    expect(notes[1]).toEqual({ key: "license", kept: "apache-2.0", ours: "mit" });
    // untouched entries keep their text, comments included
    expect(text).toContain("license: apache-2.0 # the code's license");
    expect(text).toContain("datasets: [roneneldan/TinyStories, 'HuggingFaceFW/fineweb-edu']");
    expect(again.body).toBe("# Tiny\n\nHand-written body.\n");
  });

  it("turns a scalar into a list when ours is a list, and merging twice changes nothing", () => {
    const once = mergeFrontMatter(readModelCard("---\ntags: bitnet\n---\n"), [["tags", ["bitnet", "ternary"]]]);
    const text = writeModelCard(once.card);
    expect(text).toBe("---\ntags:\n- bitnet\n- ternary\n---\n");
    const twice = mergeFrontMatter(readModelCard(text), [["tags", ["bitnet", "ternary"]]]);
    expect(writeModelCard(twice.card)).toBe(text);
    expect(twice.notes).toEqual([]);
  });
});
