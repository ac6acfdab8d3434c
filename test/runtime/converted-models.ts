/**
 * Converts checkpoints with ternpack into a temporary folder and loads each GGUF once in
 * node-llama-cpp, for the whole test file (beforeAll / afterAll).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { convert, type ConvertOptions, type ConvertResult } from "../../src/api/convert.js";
import { loadOracle, type Oracle } from "../helpers/llama.js";

export interface ConvertedModel {
  path: string;
  result: ConvertResult;
  oracle: Oracle;
}

export type ConvertSpec = Omit<ConvertOptions, "output">;

/** The models are filled in before the first test of the file runs; everything is disposed and deleted after the last. */
export function useConvertedModels<K extends string>(specs: Record<K, ConvertSpec>): Record<K, ConvertedModel> {
  const models = {} as Record<K, ConvertedModel>;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ternpack-runtime-"));
    for (const name of Object.keys(specs) as K[]) {
      const path = join(dir, `${name}.gguf`);
      // Inline (workers 0): for models this small, starting worker threads costs more than it saves.
      const result = await convert({ workers: 0, ...specs[name], output: path });
      models[name] = { path, result, oracle: await loadOracle(path) };
    }
  }, 60_000);
  afterAll(async () => {
    for (const m of Object.values<ConvertedModel>(models)) await m.oracle.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return models;
}
