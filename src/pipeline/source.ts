/**
 * The conversion's inputs, header-level: the checkpoint (opened lazily, headers validated), the
 * parsed config.json and the tokenizer KVs. Nothing here reads tensor data, except
 * `headEqualsEmbedding`, which compares two tensors when the tied-embedding decision needs it.
 */
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fail, TernpackError } from "../core/errors.js";
import type { ByteSource } from "../core/io.js";
import { openCheckpoint, type Checkpoint } from "../../formats/safetensors/index.js";
import { parseModelConfigText } from "../model/config.js";
import type { MetadataKv } from "../model/metadata-kv.js";
import type { ModelSpec } from "../model/spec.js";
import { EMBEDDING, LM_HEAD } from "../model/tensor-names.js";
import { loadTokenizerFiles, tokenizerMetadata } from "../model/tokenizer/index.js";

export interface ModelSource {
  /** The model folder (config.json and, by default, the tokenizer files live here). */
  folder: string;
  checkpoint: Checkpoint;
  spec: ModelSpec;
  tokenizer: { kv: MetadataKv[]; warnings: string[] };
}

export interface OpenModelOptions {
  config?: string;
  tokenizer?: string | false;
  openSource?: (path: string) => Promise<ByteSource>;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    return fail("INVALID_CONFIG", { file: path, detail: `cannot read it (${(cause as Error).message})`, cause });
  }
}

async function modelFolder(input: string): Promise<string> {
  try {
    return (await stat(input)).isDirectory() ? resolve(input) : dirname(resolve(input));
  } catch (cause) {
    return fail("IO_ERROR", { file: input, detail: (cause as Error).message, cause });
  }
}

/** Opens the checkpoint and reads config.json and the tokenizer; the caller closes `checkpoint`. */
export async function openModelSource(input: string, options: OpenModelOptions = {}): Promise<ModelSource> {
  const folder = await modelFolder(input);
  const configPath = options.config ?? join(folder, "config.json");
  const spec = parseModelConfigText(await readText(configPath), { file: configPath });
  const tokenizer = await readTokenizer(options.tokenizer === undefined ? folder : options.tokenizer, spec);
  const checkpoint = await openCheckpoint(input, options.openSource ? { openSource: options.openSource } : {});
  return { folder, checkpoint, spec, tokenizer };
}

async function readTokenizer(folder: string | false, spec: ModelSpec): Promise<ModelSource["tokenizer"]> {
  if (folder === false) return { kv: [], warnings: ["no tokenizer KVs written (tokenizer: false): runtimes cannot tokenize text with this file"] };
  try {
    return tokenizerMetadata(await loadTokenizerFiles(folder), { vocabSize: spec.vocab });
  } catch (e) {
    throw e instanceof TernpackError ? e.withContext({ file: folder }) : e;
  }
}

/** The folder's name, for the default general.name. */
export function folderName(source: ModelSource): string {
  return basename(source.folder);
}

/** Both lm_head.weight and model.embed_tokens.weight exist and config.json does not tie them: the plan depends on their bytes. */
export function needsHeadComparison({ checkpoint, spec }: ModelSource): boolean {
  return checkpoint.get(LM_HEAD) !== undefined && checkpoint.get(EMBEDDING) !== undefined && !spec.tieWordEmbeddings;
}

/** Whether lm_head.weight holds the same bytes as model.embed_tokens.weight, when `needsHeadComparison`. */
export async function headEqualsEmbedding(source: ModelSource): Promise<boolean | undefined> {
  if (!needsHeadComparison(source)) return undefined;
  const { checkpoint } = source;
  const head = checkpoint.get(LM_HEAD)!;
  const embedding = checkpoint.get(EMBEDDING)!;
  if (head.dtype !== embedding.dtype || head.byteLength !== embedding.byteLength) return false;
  const [a, b] = [await checkpoint.readBytes(LM_HEAD), await checkpoint.readBytes(EMBEDDING)];
  return Buffer.compare(a, b) === 0;
}
