/**
 * Split GGUF sets (llama.cpp's gguf-split convention): shards named `<stem>-%05d-of-%05d.gguf`,
 * 1-based, every KV in shard 1 and only the `split.*` keys in the others. Reading a later shard
 * on its own therefore needs shard 1's architecture (for the flavor of type ids 36–42).
 */
import { fail } from "../../src/core/errors.js";
import { GGUF_VALUE_TYPE } from "./constants.js";
import { GENERAL } from "./keys.js";
import type { GgufFile, ReadGgufOptions } from "./parse.js";
import { readGguf } from "./reader.js";

/** `-00001-of-00003` for shard index 0 of 3. */
export function shardSuffix(index: number, count: number): string {
  return `-${String(index + 1).padStart(5, "0")}-of-${String(count).padStart(5, "0")}`;
}

export interface ShardName {
  /** The path without the shard suffix and extension. */
  stem: string;
  /** 0-based. */
  index: number;
  count: number;
  ext: string;
}

/** `dir/m-00002-of-00003.gguf` → stem `dir/m`, index 1, count 3, ext `.gguf`; undefined for other names. */
export function parseShardName(path: string): ShardName | undefined {
  const m = /^(.*)-(\d{5})-of-(\d{5})(\.[^./\\]+)$/.exec(path);
  if (!m) return undefined;
  const index = Number(m[2]) - 1;
  const count = Number(m[3]);
  return index >= 0 && index < count ? { stem: m[1]!, index, count, ext: m[4]! } : undefined;
}

/** Every shard path of the set `shard` belongs to, in order. */
export function shardSetPaths(shard: ShardName): string[] {
  return Array.from({ length: shard.count }, (_, i) => `${shard.stem}${shardSuffix(i, shard.count)}${shard.ext}`);
}

function stringKv(gguf: GgufFile, key: string): string | undefined {
  const v = gguf.kv.get(key);
  return v?.type === GGUF_VALUE_TYPE.STRING ? v.value : undefined;
}

/**
 * Reads `path`; a later shard of a split set (by its name) without `general.architecture` is read
 * with shard 1's architecture, so "auto" picks the flavor the whole set was written in.
 */
export async function readGgufShard(path: string, options: ReadGgufOptions = {}): Promise<GgufFile> {
  const shard = parseShardName(path);
  if (!shard || shard.index === 0 || options.flavor !== undefined || options.architecture !== undefined) return readGguf(path, options);
  const first = await readGguf(shardSetPaths(shard)[0]!, options).catch((cause: unknown) =>
    fail("SHARD_MISSING", { file: path, detail: `shard ${shard.index + 1} of ${shard.count}: its first shard (which holds the model's metadata) cannot be read: ${(cause as Error).message}` }),
  );
  const architecture = stringKv(first, GENERAL.ARCHITECTURE);
  return readGguf(path, architecture === undefined ? options : { ...options, architecture });
}
