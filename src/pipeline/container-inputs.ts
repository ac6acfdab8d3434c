/**
 * What a container holds besides the tensors: the side files — config.json, generation_config.json,
 * the tokenizer files, and `gguf-metadata.gguf`, a tensor-less GGUF holding exactly the KVs a direct
 * GGUF conversion writes (so that exporting the container to GGUF gives that file byte for byte) —
 * and the provenance record.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fail } from "../core/errors.js";
import { memorySink, type ContainerProvenance } from "../../formats/container/index.js";
import { createGgufWriter } from "../../formats/gguf/writer.js";
import { TOKENIZER_FILE_NAMES } from "../model/tokenizer/files.js";
import { describeWeightScaleConvention } from "../quant/weight-scale.js";
import { VERSION } from "../version.js";
import type { ResolvedOptions } from "./options.js";
import { folderName, type ModelSource } from "./source.js";
import type { ConversionPlan } from "./types.js";

/** The side file holding the GGUF KVs. */
export const GGUF_METADATA_FILE = "gguf-metadata.gguf";

export interface ContainerInputs {
  source: ModelSource;
  options: ResolvedOptions;
  /** config.json path (default `<model folder>/config.json`). */
  config?: string;
  /** Tokenizer folder (default the model folder); false stores no tokenizer files. */
  tokenizer?: string | false;
}

/** The plan's KVs (those of its only file) as a GGUF without tensors. */
async function metadataGguf(plan: ConversionPlan): Promise<Uint8Array> {
  const shard = plan.shards.length === 1 ? plan.shards[0]! : fail("USAGE", { detail: "a container is one file: the plan must not be split" });
  const sink = memorySink();
  const writer = createGgufWriter(sink, { alignment: plan.alignment });
  for (const kv of shard.kv) writer.addKv(kv.key, kv.type, kv.value);
  await writer.writeHeader();
  await writer.close();
  return sink.bytes();
}

async function optionalFile(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return fail("IO_ERROR", { file: path, detail: (cause as Error).message, cause });
  }
}

export interface SideFile {
  name: string;
  role: string;
  bytes: Uint8Array;
}

/** The parsed config.json among the side files (the manifest carries it as `model.config`). */
export function modelConfig(files: readonly SideFile[], inputs: ContainerInputs): Record<string, unknown> {
  const file = files.find((f) => f.role === "config") ?? fail("INVALID_CONFIG", { file: inputs.config ?? join(inputs.source.folder, "config.json"), detail: "config.json disappeared after planning" });
  try {
    return JSON.parse(new TextDecoder().decode(file.bytes)) as Record<string, unknown>;
  } catch (cause) {
    return fail("INVALID_CONFIG", { file: inputs.config ?? join(inputs.source.folder, "config.json"), detail: `config.json is not JSON: ${(cause as Error).message}` });
  }
}

/** The side files, in file order: config, generation config, tokenizer files (those present), then the GGUF KVs. */
export async function sideFiles(inputs: ContainerInputs, plan: ConversionPlan): Promise<SideFile[]> {
  const folder = inputs.source.folder;
  const wanted: [string, string, string][] = [
    [inputs.config ?? join(folder, "config.json"), "config.json", "config"],
    [join(folder, "generation_config.json"), "generation_config.json", "generation-config"],
    ...(inputs.tokenizer === false
      ? []
      : TOKENIZER_FILE_NAMES.filter((name) => name !== "config.json").map((name): [string, string, string] => [join(inputs.tokenizer || folder, name), name, "tokenizer"])),
  ];
  const files: SideFile[] = [];
  for (const [path, name, role] of wanted) {
    const bytes = await optionalFile(path);
    if (bytes) files.push({ name, role, bytes });
  }
  files.push({ name: GGUF_METADATA_FILE, role: "gguf-metadata", bytes: await metadataGguf(plan) });
  return files;
}

function scaleConvention({ spec }: ModelSource, o: ResolvedOptions): string {
  if (spec.quantization) return `weight_scale: ${describeWeightScaleConvention(spec.quantization.weightScale)}`;
  if (o.method === "absmean") return "absmean: σ = mean |W| per tensor, W ≈ σ·t";
  if (o.method === "cb158") return "cb158: f16 super-block scales d, 4-bit log block scales s = d·2^(−k/2)";
  return "none";
}

/** ISO time of writing; SOURCE_DATE_EPOCH (seconds) makes it reproducible. */
function createdAt(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return new Date(epoch !== undefined && /^\d+$/.test(epoch) ? Number(epoch) * 1000 : Date.now()).toISOString();
}

export function containerProvenance(inputs: ContainerInputs): ContainerProvenance {
  return { ternpack: VERSION, source: folderName(inputs.source), method: inputs.options.method, scaleConvention: scaleConvention(inputs.source, inputs.options), created: createdAt() };
}
