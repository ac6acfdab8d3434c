/**
 * A checkpoint: one `model.safetensors` or shards listed by `model.safetensors.index.json`,
 * behind the same tensor-level API as a single file. Opening validates every shard's header and
 * cross-checks it with the index (spec §5, §6); shard data is read only on demand, and a shard's
 * file is reopened lazily on its first read.
 *
 * Error choice for index/shard disagreements: SHARD_MISSING when the index names something that is
 * not there (a shard file, or a tensor in its shard); INVALID_INDEX when a shard holds something the
 * index does not account for exactly once (a tensor absent from weight_map, mapped to another shard,
 * or present in two shards).
 */
import { realpath, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fail } from "../../src/core/errors.js";
import { openFileSource, requireUnchangedSize, type ByteSource } from "../../src/core/io.js";
import { readSafetensorsHeader } from "./header.js";
import { INDEX_FILE_NAME, readShardIndex } from "./index-file.js";
import { resolveLimits, type SafetensorsLimits } from "./limits.js";
import { resolveShardPath } from "./shard-paths.js";
import { createTensorAccess, type TensorAccess } from "./tensor-access.js";
import type { ParsedHeader, TensorInfo } from "./types.js";

export const SINGLE_FILE_NAME = "model.safetensors";

export interface CheckpointTensorInfo extends TensorInfo {
  /** Path of the file holding the tensor (byteOffset is absolute in it). */
  readonly file: string;
  /** That file's size when the checkpoint was opened (a read checks it has not changed). */
  readonly fileSize: number;
}

export interface Checkpoint extends TensorAccess<CheckpointTensorInfo> {
  /** The index file, or undefined for a single-file checkpoint. */
  readonly indexFile: string | undefined;
  /** Shard paths (real paths for indexed shards) in the order their tensors are listed. */
  readonly files: readonly string[];
  /** Sum of all tensors' byte lengths. */
  readonly totalBytes: number;
  /** Non-fatal findings, e.g. an index total_size that disagrees with the shards. */
  readonly warnings: readonly string[];
}

export interface OpenCheckpointOptions {
  limits?: Partial<SafetensorsLimits>;
  /** Opens a shard for reading (default: a positional-read file source); tests count reads with it. */
  openSource?: (path: string) => Promise<ByteSource>;
}

/** A shard as the index names it, and where it is. */
interface ShardRef {
  name: string;
  path: string;
}

interface Shard extends ShardRef {
  header: ParsedHeader;
  size: number;
}

/**
 * Opens `path`: a folder (its `model.safetensors` if present, as transformers prefers, else its
 * index), an index file (`*.index.json`), or a single `.safetensors` file.
 */
export async function openCheckpoint(path: string, options: OpenCheckpointOptions = {}): Promise<Checkpoint> {
  const limits = resolveLimits(options.limits);
  const openSource = options.openSource ?? openFileSource;
  const isDir = (await statOrFail(path)).isDirectory();
  if (!isDir) {
    return path.endsWith(".index.json") ? openIndexed(path, limits, openSource) : openSingle(path, limits, openSource);
  }
  const single = join(path, SINGLE_FILE_NAME);
  if (await exists(single)) return openSingle(single, limits, openSource);
  const index = join(path, INDEX_FILE_NAME);
  if (await exists(index)) return openIndexed(index, limits, openSource);
  return fail("UNKNOWN_FORMAT", { file: path, detail: `no ${SINGLE_FILE_NAME} or ${INDEX_FILE_NAME} in this folder` });
}

function openSingle(path: string, limits: SafetensorsLimits, openSource: (p: string) => Promise<ByteSource>): Promise<Checkpoint> {
  return openShards([{ name: basename(path), path }], undefined, [], limits, openSource);
}

async function openIndexed(indexFile: string, limits: SafetensorsLimits, openSource: (p: string) => Promise<ByteSource>): Promise<Checkpoint> {
  const index = await readShardIndex(indexFile, limits);
  const folder = await realpath(dirname(resolve(indexFile)));
  const refs: ShardRef[] = [];
  for (const name of [...new Set(index.weightMap.values())].sort()) {
    refs.push({ name, path: await resolveShardPath(folder, name, indexFile) });
  }
  const warnings = [...index.warnings];
  const checkpoint = await openShards(refs, indexFile, warnings, limits, openSource, (shards) =>
    crossCheck(shards, index.weightMap, indexFile),
  );
  if (index.totalSize !== undefined && index.totalSize !== checkpoint.totalBytes) {
    warnings.push(`${indexFile}: metadata.total_size is ${index.totalSize} but the shards' tensors hold ${checkpoint.totalBytes} bytes`);
  }
  return checkpoint;
}

/** Every weight_map entry is in its shard; every shard tensor is in weight_map, for that shard, once. */
function crossCheck(shards: readonly Shard[], weightMap: ReadonlyMap<string, string>, indexFile: string): void {
  const foundIn = new Map<string, string>();
  for (const shard of shards) {
    for (const t of shard.header.tensors) {
      const other = foundIn.get(t.name);
      if (other !== undefined) {
        fail("INVALID_INDEX", { file: indexFile, tensor: t.name, detail: `tensor is in both ${other} and ${shard.name}` });
      }
      foundIn.set(t.name, shard.name);
    }
  }
  for (const [tensor, shard] of weightMap) {
    if (foundIn.get(tensor) !== shard) {
      fail("SHARD_MISSING", { file: indexFile, tensor, detail: `weight_map places it in ${shard}, which does not contain it` });
    }
  }
  for (const [tensor, shard] of foundIn) {
    if (!weightMap.has(tensor)) fail("INVALID_INDEX", { file: indexFile, tensor, detail: `tensor is in ${shard} but not in weight_map` });
  }
}

async function openShards(
  refs: readonly ShardRef[],
  indexFile: string | undefined,
  warnings: string[],
  limits: SafetensorsLimits,
  openSource: (p: string) => Promise<ByteSource>,
  check?: (shards: readonly Shard[]) => void,
): Promise<Checkpoint> {
  const shards: Shard[] = [];
  for (const ref of refs) {
    const source = await openSource(ref.path);
    try {
      shards.push({ ...ref, header: await readSafetensorsHeader(source, limits), size: source.size });
    } finally {
      await source.close();
    }
  }
  check?.(shards);

  const opened = new Map<Shard, Promise<ByteSource>>();
  const shardOf = new Map<CheckpointTensorInfo, Shard>();
  const tensors: CheckpointTensorInfo[] = [];
  const metadata = new Map<string, string>();
  for (const shard of shards) {
    for (const t of shard.header.tensors) {
      const info = { ...t, file: shard.path, fileSize: shard.size };
      tensors.push(info);
      shardOf.set(info, shard);
    }
    for (const [k, v] of shard.header.metadata) if (!metadata.has(k)) metadata.set(k, v);
  }
  const access = createTensorAccess<CheckpointTensorInfo>({
    tensors,
    metadata,
    file: indexFile ?? refs[0]!.path,
    sourceOf: (t) => {
      const shard = shardOf.get(t)!;
      let source = opened.get(shard);
      if (!source) {
        source = reopen(shard, openSource);
        opened.set(shard, source);
      }
      return source;
    },
    close: async () => {
      const sources = [...opened.values()];
      opened.clear();
      // A shard that failed to reopen has nothing to close; a failing close is reported.
      for (const s of sources) await s.then((src) => src.close(), () => undefined);
    },
  });
  const totalBytes = tensors.reduce((sum, t) => sum + t.byteLength, 0);
  return { ...access, indexFile, files: refs.map((r) => r.path), totalBytes, warnings };
}

/** Opens a validated shard again for reading; it must not have changed size since. */
async function reopen(shard: Shard, openSource: (p: string) => Promise<ByteSource>): Promise<ByteSource> {
  const source = await openSource(shard.path);
  try {
    requireUnchangedSize(shard.path, source.size, shard.size);
  } catch (e) {
    await source.close();
    throw e;
  }
  return source;
}

async function statOrFail(path: string) {
  try {
    return await stat(path);
  } catch (cause) {
    return fail("IO_ERROR", { file: path, detail: (cause as Error).message, cause });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
