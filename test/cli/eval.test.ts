/** `ternpack eval`: TinyStories-656K against its F32 GGUF (identical weights) and a Q8_0 GGUF. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { fixturePath, readJson } from "../helpers/fixtures.js";
import { runCli } from "./run-cli.js";

const MODEL = fixturePath("tinystories-656k");
const TEXT = fixturePath("eval", "tinystories-656k", "eval.txt");
const REF = readJson<{ transformers: { ppl: number; n_scored: number } }>("eval", "tinystories-656k", "eval_nll.json").transformers;
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ternpack-cli-eval-"));
  await convert({ input: MODEL, output: join(dir, "f32.gguf"), method: "none", keepType: "f32", workers: 0 });
  await convert({ input: MODEL, output: join(dir, "q8_0.gguf"), method: "none", keepType: "q8_0", workers: 0 });
  await writeFile(join(dir, "prompts.txt"), "Once upon a time\n\nThe little dog\n");
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("ternpack eval", () => {
  it("--json: the F32 GGUF is the original exactly (KL 0, same top 100 %), PPL is transformers'", async () => {
    const r = await runCli("eval", MODEL, join(dir, "f32.gguf"), "--text", TEXT, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.tokens).toBe(REF.n_scored);
    expect(Math.abs(doc.original.ppl - REF.ppl)).toBeLessThan(1e-3);
    expect(doc.quantized.ppl).toBe(doc.original.ppl);
    expect(doc.kl).toMatchObject({ mean: 0, max: 0 });
    expect(doc.sameTop.mean).toBe(1);
  });

  it("prints a table for Q8_0 with --ctx 128, --prompts and --greedy", async () => {
    const r = await runCli("eval", MODEL, join(dir, "q8_0.gguf"), "--text", TEXT, "--ctx", "128", "--prompts", join(dir, "prompts.txt"), "--greedy", "8");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("tokens scored              289 (3 windows of ≤ 128, protocol all)");
    const kl = /KL divergence mean\s+(\S+) ± (\S+)/.exec(r.stdout);
    expect(Number(kl?.[1])).toBeGreaterThan(0);
    expect(Number(kl?.[1])).toBeLessThan(0.01);
    expect(r.stdout).toMatch(/same top p\s+\d+\.\d{3} ± \d+\.\d{3} %/);
    expect(r.stdout).toMatch(/greedy prompt 0 .* of 8,/);
    expect(r.stdout).toMatch(/greedy prompt 1 .* of 8,/);
    expect(r.stdout).not.toContain("greedy prompt 2");
  });

  it("--protocol llama.cpp --ctx 128: two full windows, second halves scored (2 × 63 tokens)", async () => {
    const r = await runCli("eval", MODEL, join(dir, "q8_0.gguf"), "--text", TEXT, "--ctx", "128", "--protocol", "llama.cpp", "--greedy", "2", "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ protocol: "llama.cpp", ctx: 128, windows: 2, tokens: 126 });
    expect(doc.kl.mean).toBeGreaterThan(0);
    const bad = await runCli("eval", MODEL, MODEL, "--text", TEXT, "--protocol", "perplexity");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("protocol");
  });

  it("refuses a missing --text and a wrong number of models (USAGE, exit 2)", async () => {
    const a = await runCli("eval", MODEL, join(dir, "q8_0.gguf"));
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("--text is required");
    const b = await runCli("eval", MODEL, "--text", TEXT);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("USAGE");
  });
});
