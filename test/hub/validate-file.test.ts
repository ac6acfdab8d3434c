/** The publishing checks of one GGUF (context_length, tokenizer KVs, vocabulary), source re-verification, and the file-kind table. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepublish } from "../../src/api/prepublish.js";
import { GGML_TYPE, GGUF_VALUE_TYPE as T, writeGgufFile, type GgufKvInput } from "../../formats/gguf/index.js";
import { FILE_KINDS, validateFile, type ValidatedFile } from "../../src/hub/validated-file.js";
import { fixturePath } from "../helpers/fixtures.js";
import { tempRoot } from "./fake-cache.js";
import { convertSynth } from "./publish-fixtures.js";

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ root, cleanup } = await tempRoot("ternpack-validate-"));
});
afterAll(() => cleanup());

const VOCAB = ["<unk>", "<s>", "</s>", "a"];
const str = (value: string): GgufKvInput => ({ type: T.STRING, value });
const strings = (values: string[]): GgufKvInput => ({ type: T.ARRAY, value: { elementType: T.STRING, values } });

/** A one-tensor llama GGUF with its KVs edited by `edit`. */
async function gguf(name: string, edit: (kv: Map<string, GgufKvInput>) => void = () => {}, rows = VOCAB.length): Promise<string> {
  const kv = new Map<string, GgufKvInput>([
    ["general.architecture", str("llama")],
    ["llama.context_length", { type: T.UINT32, value: 256 }],
    ["tokenizer.ggml.model", str("llama")],
    ["tokenizer.ggml.tokens", strings(VOCAB)],
    ["tokenizer.ggml.scores", { type: T.ARRAY, value: { elementType: T.FLOAT32, values: VOCAB.map(() => 0) } }],
  ]);
  edit(kv);
  const path = join(root, `${name}.gguf`);
  const data = new Uint8Array(4 * 4 * rows);
  await writeGgufFile(path, { kv, tensors: [{ name: "token_embd.weight", type: GGML_TYPE.F32, dims: [4, rows], data }] });
  return path;
}

describe("GGUF publishing checks", () => {
  it("accepts a complete file and reports what it checked", async () => {
    const f = await validateFile(await gguf("ok"));
    expect(f.label).toBe("F32");
    expect(f.layouts).toEqual([]);
    expect(f.ternaryBitsPerWeight).toBeUndefined();
    expect(f.bitsPerWeight).toBe(32);
    expect(f.checks.map((c) => [c.name, c.detail])).toEqual([
      ["structure", "GGUF v3, 5 KVs, 1 tensors: types, offsets and bounds valid"],
      ["context_length", "llama.context_length = 256"],
      ["tokenizer", "llama, 4 tokens, matching the token_embd.weight rows"],
      ["ternary tensors", "0 re-verified with the reference kernels against their own decoded codes"],
    ]);
    expect(f.facts).toEqual({ architecture: "llama", contextLength: 256, tiling: [] });
  });

  it.each([
    ["no context_length", (kv: Map<string, GgufKvInput>) => kv.delete("llama.context_length"), 4, "llama.context_length", "missing"],
    ["a UINT64 context_length", (kv: Map<string, GgufKvInput>) => kv.set("llama.context_length", { type: T.UINT64, value: 256n }), 4, "llama.context_length", "positive UINT32, is UINT64"],
    ["no tokenizer model", (kv: Map<string, GgufKvInput>) => kv.delete("tokenizer.ggml.model"), 4, "tokenizer.ggml.model", "missing"],
    ["no tokens", (kv: Map<string, GgufKvInput>) => kv.delete("tokenizer.ggml.tokens"), 4, "tokenizer.ggml.tokens", "missing"],
    ["scores of another length", (kv: Map<string, GgufKvInput>) => kv.set("tokenizer.ggml.scores", { type: T.ARRAY, value: { elementType: T.FLOAT32, values: [0] } }), 4, "tokenizer.ggml.scores", "array of 4 values"],
    ["a BPE tokenizer without merges", (kv: Map<string, GgufKvInput>) => kv.set("tokenizer.ggml.model", str("gpt2")), 4, "tokenizer.ggml.merges", "needs its merges"],
    ["more embedding rows than tokens", () => {}, 5, "tokenizer.ggml.tokens", "4 tokens but token_embd.weight has 5 rows"],
  ])("refuses %s, naming the key", async (name, edit, rows, key, detail) => {
    const path = await gguf(name.replaceAll(" ", "-"), edit, rows);
    await expect(validateFile(path)).rejects.toMatchObject({ code: "INVALID_VALUE", tensor: key, file: path, message: expect.stringContaining(detail) });
  });

  it("re-verifies against the source weights: a GGUF is refused as the conversion of another model", async () => {
    const [converted] = await convertSynth(join(root, "synth"));
    await expect(prepublish({ inputs: converted!, repo: "me/x", source: fixturePath("models", "bitnet-synth-2b4t-bf16"), env: {} })).rejects.toMatchObject({ code: "VERIFY_FAILED" });
  });
});

describe("the file-kind table", () => {
  it("a kind registered in FILE_KINDS is validated by its own validator and named with its extension", async () => {
    const dir = join(root, "kinds");
    await mkdir(dir);
    await writeFile(join(dir, "model.fake"), "fake bytes");
    const seen: string[] = [];
    const fake = async (path: string): Promise<ValidatedFile> => {
      seen.push(path);
      const facts = { architecture: "fake", tiling: [] };
      return { path, kind: ".fake", size: 10, label: "X", layouts: ["tq2_0"], tensorCount: 1, weightCount: 8, bitsPerWeight: 10, ternaryBitsPerWeight: 2, facts, checks: [{ name: "checksums", detail: "ok" }] };
    };
    FILE_KINDS[".fake"] = fake;
    try {
      const r = await prepublish({ inputs: dir, repo: "me/fake", env: {} });
      expect(seen).toEqual([join(dir, "model.fake")]);
      expect(r.files.map((f) => [f.hubPath, f.label])).toEqual([["fake-TQ2_0.fake", "TQ2_0"]]);
      const card = await readFile(join(dir, "README.md"), "utf8");
      expect(card).toContain("library_name: ternpack\n");
      expect(card).toContain("- fake\n");
      expect(card).toContain("ternpack export fake-TQ2_0.fake --to gguf");
      expect(card).toContain("`fake-TQ2_0.fake`: checksums — ok");
    } finally {
      delete FILE_KINDS[".fake"];
    }
    await expect(validateFile(join(dir, "model.fake"))).rejects.toMatchObject({ code: "UNKNOWN_FORMAT" });
  });
});
