/**
 * Opening a model for evaluation from a path: a folder is a Hugging Face safetensors checkpoint,
 * a file starting with the GGUF magic a GGUF; and the tokenizer.json that goes with it.
 */
import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fail } from "../core/errors.js";
import { loadGgufModel } from "./load-gguf.js";
import { loadSafetensorsModel } from "./load-safetensors.js";
import { BpeTokenizer } from "./tokenizer.js";
import type { EvalModel } from "./weights.js";

async function isGguf(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const magic = new Uint8Array(4);
    await handle.read(magic, 0, 4, 0);
    return new TextDecoder().decode(magic) === "GGUF";
  } finally {
    await handle.close();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  const s = await stat(path).catch(() => fail("IO_ERROR", { file: path, detail: "no such model file or folder" }));
  return s.isDirectory();
}

/** A safetensors folder or a GGUF file, loaded dense float32. */
export async function loadEvalModel(path: string): Promise<EvalModel> {
  if (await isDirectory(path)) return loadSafetensorsModel(path);
  if (await isGguf(path)) return loadGgufModel(path);
  return fail("UNKNOWN_FORMAT", { file: path, detail: "expected a safetensors folder or a GGUF file" });
}

/**
 * The tokenizer: `explicit` (a tokenizer.json path) if given, else the tokenizer.json of the first
 * of `models` that is a folder holding one.
 */
export async function loadEvalTokenizer(models: readonly string[], explicit?: string): Promise<BpeTokenizer> {
  if (explicit !== undefined) {
    const text = await readFile(explicit, "utf8").catch((cause: Error) => fail("IO_ERROR", { file: explicit, detail: cause.message }));
    return BpeTokenizer.fromTokenizerJson(text);
  }
  for (const m of models) {
    if (!(await isDirectory(m))) continue;
    const text = await readFile(join(m, "tokenizer.json"), "utf8").catch(() => undefined);
    if (text !== undefined) return BpeTokenizer.fromTokenizerJson(text);
  }
  return fail("USAGE", { detail: "no tokenizer.json: give a safetensors folder holding one, or the tokenizer path" });
}
