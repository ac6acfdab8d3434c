/**
 * Inputs for the publish tests: small GGUFs made by ternpack's convert from the bitnet-synth-1bitllm
 * fixture (TQ2_0, 1.4 MB), a hub cache holding that model as a repo id with a model card, and a
 * scan for a secret in every text a run produced.
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { expect } from "vitest";
import { convert } from "../../src/api/convert.js";
import { fixturePath } from "../helpers/fixtures.js";
import { addRepo, addSnapshotFile } from "./fake-cache.js";

export const SYNTH = fixturePath("models", "bitnet-synth-1bitllm");
export const SOURCE_REPO = "1bitLLM/bitnet_b1_58-synth";
export const SOURCE_COMMIT = "0123456789abcdef0123456789abcdef01234567";
/** A token of the Hub's shape; tests look for it in every output. */
export const TOKEN = "hf_TestTokenThatMustNeverBePrinted0123";

/** Converts the fixture into `dir/<name>.gguf` (or shards `<name>-0000k-of-0000N.gguf`); returns the files. */
export async function convertSynth(dir: string, name = "synth", splitMaxBytes?: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const result = await convert({ input: SYNTH, output: join(dir, `${name}.gguf`), workers: 0, ...(splitMaxBytes ? { splitMaxBytes } : {}) });
  return result.files;
}

/** `<cache>/models--1bitLLM--bitnet_b1_58-synth` with the fixture's files and a card saying `license: mit`, refs/main → SOURCE_COMMIT. */
export async function cacheWithSource(cache: string): Promise<void> {
  const folder = await addRepo(cache, SOURCE_REPO, { refs: { main: SOURCE_COMMIT } });
  for (const name of (await readdir(SYNTH)).filter((n) => n.endsWith(".json") || n.endsWith(".safetensors"))) {
    await addSnapshotFile(folder, SOURCE_COMMIT, name, new Uint8Array(await readFile(join(SYNTH, name))));
  }
  const card = "---\nlicense: mit\nlanguage:\n- en\n---\n# synth\n";
  await addSnapshotFile(folder, SOURCE_COMMIT, "README.md", new TextEncoder().encode(card));
}

/** Fails when `secret` appears in any of the values (errors are inspected whole: message, stack, fields, causes). */
export function expectNoSecret(secret: string, ...values: unknown[]): void {
  for (const v of values) {
    const texts = typeof v === "string" ? [v] : [JSON.stringify(v) ?? "", inspect(v, { depth: 8 }), v instanceof Error ? String(v.stack) : ""];
    for (const t of texts) expect(t.includes(secret), `secret found in: ${t.slice(0, 300)}`).toBe(false);
  }
}
