/** prepublish without pushing: validation, Hub names, model card, SHA256SUMS, the planned operations. */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepublish, type PrepublishOptions } from "../../src/api/prepublish.js";
import { readGguf } from "../../formats/gguf/reader.js";
import { convert } from "../../src/api/convert.js";
import { readModelCard } from "../../src/hub/front-matter.js";
import { shardSuffix } from "../../formats/gguf/index.js";
import { fixturePath, sha256 } from "../helpers/fixtures.js";
import { tempRoot } from "./fake-cache.js";
import { startFakeHub, type FakeHub } from "./fake-hub.js";
import { cacheWithSource, convertSynth, SOURCE_COMMIT, SOURCE_REPO, TOKEN } from "./publish-fixtures.js";

let root: string;
let cleanup: () => Promise<void>;
let single: string;
let cache: string;
let hub: FakeHub;

beforeAll(async () => {
  ({ root, cleanup } = await tempRoot("ternpack-publish-"));
  single = (await convertSynth(join(root, "single")))[0]!;
  cache = join(root, "cache");
  await cacheWithSource(cache);
  hub = await startFakeHub({ token: TOKEN });
});
afterAll(async () => {
  await hub.close();
  await cleanup();
});

/** A folder holding a copy of the converted file (each test writes its card there). */
async function folderWith(name: string, ...files: string[]): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  for (const f of files) await copyFile(f, join(dir, basename(f)));
  return dir;
}

const entriesOf = (text: string) => Object.fromEntries(readModelCard(text).entries.map((e) => [e.key, e.value]));
const run = (o: Omit<PrepublishOptions, "env"> & { env?: PrepublishOptions["env"] }) => prepublish({ env: { HF_HUB_CACHE: cache }, ...o });

describe("prepublish (dry run)", () => {
  it("validates, names, describes and plans the upload of a TQ2_0 GGUF converted from a cached repo", async () => {
    const dir = await folderWith("dry", single);
    const bytes = new Uint8Array(await readFile(single));
    const ternary = (await readGguf(single)).tensors.filter((t) => t.typeName === "TQ2_0").length;
    const r = await run({ inputs: dir, repo: "me/synth-ternary-GGUF", source: SOURCE_REPO, hubUrl: hub.url });

    expect(r.dryRun).toBe(true);
    expect(hub.requests).toEqual([]);
    expect(r.files).toHaveLength(1);
    const [f] = r.files;
    expect(f!.hubPath).toBe("bitnet_b1_58-synth-TQ2_0.gguf");
    expect(f!.sha256).toBe(sha256(bytes));
    expect(f!.size).toBe(bytes.length);
    expect(f!.layouts).toEqual(["tq2_0"]);
    expect(f!.ternaryBitsPerWeight).toBe(2.0625);
    expect(f!.checks.map((c) => c.name)).toEqual(["structure", "context_length", "tokenizer", "ternary tensors"]);
    expect(f!.checks[3]!.detail).toBe(`${ternary} re-verified with the reference kernels against the source weights`);

    const sums = `${sha256(bytes)}  bitnet_b1_58-synth-TQ2_0.gguf\n`;
    expect(await readFile(join(dir, "SHA256SUMS"), "utf8")).toBe(sums);
    const card = await readFile(join(dir, "README.md"), "utf8");
    expect(entriesOf(card)).toEqual({
      base_model: SOURCE_REPO,
      base_model_relation: "quantized",
      library_name: "gguf",
      license: "mit",
      pipeline_tag: "text-generation",
      tags: ["bitnet", "ternary", "1.58-bit", "gguf", "ternpack", "tq2_0"],
    });
    expect(card).toContain(`| \`bitnet_b1_58-synth-TQ2_0.gguf\` | TQ2_0 | 2.0625 / ${f!.bitsPerWeight.toFixed(4)} |`);
    expect(card).toContain(`\`${sha256(bytes)}\``);
    expect(card).toContain(`- Source: [${SOURCE_REPO}](https://huggingface.co/${SOURCE_REPO}) at commit \`${SOURCE_COMMIT}\` (revision \`main\`)`);
    expect(card).toContain("method absmean");
    expect(card).toContain("- Converted by: ternpack 0.1.0");
    expect(card).toContain("llama-cli -m bitnet_b1_58-synth-TQ2_0.gguf");
    expect(card).not.toContain(root);

    const cardBytes = new TextEncoder().encode(card).length;
    expect(r.operations).toEqual([
      { op: "create-repo-if-missing", repo: "me/synth-ternary-GGUF" },
      { op: "upload", hubPath: "bitnet_b1_58-synth-TQ2_0.gguf", local: join(dir, "synth.gguf"), size: bytes.length, storage: "lfs" },
      { op: "upload", hubPath: "README.md", local: join(dir, "README.md"), size: cardBytes, storage: "regular" },
      { op: "upload", hubPath: "SHA256SUMS", local: join(dir, "SHA256SUMS"), size: sums.length, storage: "regular" },
      { op: "commit", title: "Upload bitnet_b1_58-synth TQ2_0 (ternpack 0.1.0)", files: 3 },
    ]);
  });

  it("merges into an existing card: its front matter and body stay, ternpack's section is replaced on a rerun", async () => {
    const dir = await folderWith("merge", single);
    const existing = "---\nlicense: apache-2.0\ntags:\n- my-tag\n---\n# My notes\n\nKeep me.\n";
    await writeFile(join(dir, "README.md"), existing);
    const first = await run({ inputs: [join(dir, "synth.gguf")], repo: "me/synth", source: SOURCE_REPO });
    const text = await readFile(join(dir, "README.md"), "utf8");
    expect(entriesOf(text).license).toBe("apache-2.0");
    expect(entriesOf(text).tags).toEqual(["my-tag", "bitnet", "ternary", "1.58-bit", "gguf", "ternpack", "tq2_0"]);
    expect(first.card.notes).toEqual([{ key: "license", kept: "apache-2.0", ours: "mit" }]);
    expect(readModelCard(text).body.startsWith("# My notes\n\nKeep me.\n\n<!-- ternpack:begin")).toBe(true);

    await run({ inputs: [join(dir, "synth.gguf")], repo: "me/synth", source: SOURCE_REPO });
    expect(await readFile(join(dir, "README.md"), "utf8")).toBe(text);
  });

  it("takes the repo id and commit of a source given as a path inside a hub cache snapshot", async () => {
    const dir = await folderWith("snapshot-path", single);
    const snapshot = join(cache, "models--1bitLLM--bitnet_b1_58-synth", "snapshots", SOURCE_COMMIT);
    const r = await run({ inputs: dir, repo: "me/synth", source: snapshot });
    expect(r.card.baseModel).toBe(SOURCE_REPO);
    const card = await readFile(join(dir, "README.md"), "utf8");
    expect(card).toContain(`- Source: [${SOURCE_REPO}](https://huggingface.co/${SOURCE_REPO}) at commit \`${SOURCE_COMMIT}\`\n`);
    expect(entriesOf(card).license).toBe("mit");
  });

  it("names split shards <Model>-TQ2_0-0000k-of-0000N and refuses an incomplete set", async () => {
    const shards = await convertSynth(join(root, "split"), "synth", 200_000);
    const n = shards.length;
    expect(n).toBeGreaterThan(2);
    const r = await run({ inputs: join(root, "split"), repo: "me/synth-GGUF" });
    const suffix = (i: number) => `-${String(i + 1).padStart(5, "0")}-of-${String(n).padStart(5, "0")}`;
    expect(r.files.map((f) => f.hubPath)).toEqual(shards.map((_, i) => `synth-TQ2_0${suffix(i)}.gguf`));
    expect(r.files.map((f) => f.checks.find((c) => c.name === "split")?.detail)).toEqual(shards.map((_, i) => `shard ${i + 1} of ${n}`));
    expect(r.files.map((f) => f.checks.some((c) => c.name === "tokenizer"))).toEqual(shards.map((_, i) => i === 0));
    const card = await readFile(join(root, "split", "README.md"), "utf8");
    expect(card).toContain('--include "synth-TQ2_0-*.gguf"');
    await expect(run({ inputs: shards.filter((_, i) => i !== 1), repo: "me/synth-GGUF" })).rejects.toMatchObject({
      code: "USAGE",
      message: expect.stringContaining(`shard(s) 2 of ${n} not given`),
    });
  });

  it("reads bitnet.cpp shards after the first (no architecture KV) with the first shard's flavor", async () => {
    const dir = join(root, "split-tl2");
    await mkdir(dir);
    const { files } = await convert({ input: fixturePath("tinystories-656k"), output: join(dir, "ts.gguf"), target: "bitnet.cpp", layout: "tl2", splitMaxBytes: 300_000, workers: 0 });
    expect(files.length).toBeGreaterThan(2);
    const tl2 = await Promise.all(files.map(async (f) => (await readGguf(f, { flavor: "bitnet.cpp" })).tensors.filter((t) => t.typeName === "TL2").length));
    expect(tl2.slice(1).some((n) => n > 0)).toBe(true);
    const r = await run({ inputs: dir, repo: "me/TinyStories-656K-GGUF", source: fixturePath("tinystories-656k") });
    expect(r.files.map((f) => f.hubPath)).toEqual(files.map((_, i) => `TinyStories-656K-TL2${shardSuffix(i, files.length)}.gguf`));
    expect(r.files.map((f) => f.checks.at(-1)!.detail)).toEqual(tl2.map((n) => `${n} re-verified with the reference kernels against the source weights`));
    expect(await readFile(join(dir, "README.md"), "utf8")).toContain("python run_inference.py -m TinyStories-656K-TL2-00001-of-");
  });

  it("refuses a file whose ternary payload was corrupted, naming the tensor, and writes no card", async () => {
    const dir = await folderWith("corrupt");
    const target = join(dir, "synth.gguf");
    const bytes = new Uint8Array(await readFile(single));
    const tensor = (await readGguf(single)).tensors.find((t) => t.typeName === "TQ2_0")!;
    bytes[tensor.absoluteOffset + 5] = 0xff; // four codes of 3: no ternary value
    await writeFile(target, bytes);
    await expect(run({ inputs: dir, repo: "me/synth" })).rejects.toMatchObject({ code: "VERIFY_FAILED", tensor: tensor.name, file: target });
    await expect(readFile(join(dir, "README.md"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses two files that would get the same Hub name, and files of unknown kinds", async () => {
    const dir = await folderWith("twins", single);
    await copyFile(single, join(dir, "synth-copy.gguf"));
    await expect(run({ inputs: dir, repo: "me/synth" })).rejects.toMatchObject({ code: "USAGE", message: expect.stringContaining("would both be published as synth-TQ2_0.gguf") });
    await writeFile(join(dir, "notes.bin"), "x");
    await expect(run({ inputs: [join(dir, "notes.bin")], repo: "me/synth" })).rejects.toMatchObject({ code: "USAGE", message: expect.stringContaining("publish takes .gguf, .tpk files") });
  });

  it("needs a token only to push, and asks for none of the Hub before it has one", async () => {
    const dir = await folderWith("token", single);
    await expect(prepublish({ inputs: dir, repo: "me/synth", push: true, hubUrl: hub.url, env: { HF_TOKEN_PATH: "/nonexistent/ternpack/token" } })).rejects.toMatchObject({ code: "HUB_AUTH", message: expect.stringContaining("HF_TOKEN") });
    await expect(prepublish({ inputs: dir, repo: "me/synth", push: true, hubUrl: hub.url, token: "abc", env: {} })).rejects.toMatchObject({ code: "HUB_AUTH" });
    await expect(prepublish({ inputs: dir, repo: "no-owner", env: {} })).rejects.toMatchObject({ code: "USAGE" });
    expect(hub.requests).toEqual([]);
  });
});
