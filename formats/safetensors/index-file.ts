/**
 * `model.safetensors.index.json` (spec §5): `{"metadata": {"total_size": …}, "weight_map": {tensor: shard}}`.
 * Parsed with the strict parser so a tensor listed twice is a DUPLICATE_KEY, not a silent override.
 */
import { fail } from "../../src/core/errors.js";
import { withFileSource } from "../../src/core/io.js";
import { JsonNumber, JsonObject, parseJson } from "./json.js";
import { checkTensorName, type SafetensorsLimits } from "./limits.js";

export const INDEX_FILE_NAME = "model.safetensors.index.json";

export interface ShardIndex {
  /** Tensor name → shard file name, in index order. */
  weightMap: Map<string, string>;
  /** `metadata.total_size` when it is a number (informational only). */
  totalSize: number | undefined;
  /** Oddities worth telling the user that do not prevent reading. */
  warnings: string[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export async function readShardIndex(path: string, limits: SafetensorsLimits): Promise<ShardIndex> {
  const bytes = await withFileSource(path, async (src) => {
    if (src.size > limits.maxIndexBytes) {
      fail("LIMIT_EXCEEDED", { file: path, detail: `index is ${src.size} bytes, limit ${limits.maxIndexBytes}` });
    }
    return src.read(0, src.size);
  });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    fail("INVALID_INDEX", { file: path, detail: "index is not valid UTF-8" });
  }
  const root = parseJson(text, { file: path, baseOffset: 0, syntaxCode: "INVALID_INDEX", maxDepth: limits.maxJsonDepth });
  const bad = (detail: string): never => fail("INVALID_INDEX", { file: path, detail });
  if (!(root instanceof JsonObject)) return bad("index is not a JSON object");

  const map = root.entries.get("weight_map");
  if (!(map instanceof JsonObject)) return bad('"weight_map" is missing or not an object');
  const weightMap = new Map<string, string>();
  for (const [tensor, shard] of map.entries) {
    checkTensorName(tensor, limits, { file: path });
    if (typeof shard !== "string") bad(`weight_map[${JSON.stringify(tensor)}] is not a string`);
    weightMap.set(tensor, shard as string);
  }
  const shardCount = new Set(weightMap.values()).size;
  if (shardCount > limits.maxShards) fail("LIMIT_EXCEEDED", { file: path, detail: `${shardCount} shards, limit ${limits.maxShards}` });

  const warnings: string[] = [];
  const metadata = root.entries.get("metadata");
  if (metadata !== undefined && metadata !== null && !(metadata instanceof JsonObject)) bad('"metadata" is not an object');
  const total = metadata instanceof JsonObject ? metadata.entries.get("total_size") : undefined;
  let totalSize: number | undefined;
  if (total instanceof JsonNumber && Number.isFinite(Number(total.text))) totalSize = Number(total.text);
  else if (total !== undefined) warnings.push(`${path}: metadata.total_size is not a number; ignored`);
  return { weightMap, totalSize, warnings };
}
