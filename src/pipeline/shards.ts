/**
 * Output files and their exact layout (gguf.md §5, §8). Without splitting there is one file with
 * every KV. With `splitMaxBytes` tensors are cut into shards the way gguf-split does it: a new
 * shard starts when the next tensor's padded data would push the current one past the limit
 * (a tensor larger than the limit gets a shard of its own; a tensor is never split). The first
 * shard carries every KV followed by split.no / split.count / split.tensors.count; later shards
 * only the split keys. Names: `<prefix>-%05d-of-%05d.gguf`, 1-based.
 *
 * Offsets come from the GGUF writer's own plan (a writer that is never given bytes), so the plan
 * and the written file cannot disagree.
 */
import type { ByteSink } from "../core/atomic-file.js";
import { shardSetPaths } from "../../formats/gguf/index.js";
import { fail } from "../core/errors.js";
import { alignUp } from "../../formats/gguf/align.js";
import type { GgufFlavor } from "../../formats/gguf/ggml-types.js";
import { SPLIT } from "../../formats/gguf/keys.js";
import { GGUF_VALUE_TYPE as T } from "../../formats/gguf/value-types.js";
import { createGgufWriter, type GgufLayout, type GgufWriter } from "../../formats/gguf/writer.js";
import type { MetadataKv } from "../model/metadata-kv.js";
import type { PlannedShard } from "./types.js";

/** What the layout needs of a tensor. */
export interface ShardTensor {
  name: string;
  ggmlType: number;
  dims: readonly number[];
  nbytes: number;
}

/** Maximum shards: split.no / split.count are u16 and names have five digits. */
const MAX_SHARDS = 65535;

/** `<prefix>-00001-of-00003.gguf` paths for `count` shards of `output` (a trailing `.gguf` is the suffix). */
export function shardPaths(output: string, count: number): string[] {
  const stem = output.toLowerCase().endsWith(".gguf") ? output.slice(0, -5) : output;
  return shardSetPaths({ stem, index: 0, count, ext: ".gguf" });
}

/** Tensor index ranges [start, end) per shard. */
export function groupTensors(tensors: readonly ShardTensor[], alignment: number, maxBytes: number | undefined): [number, number][] {
  if (maxBytes === undefined) return [[0, tensors.length]];
  const groups: [number, number][] = [];
  let start = 0;
  let size = 0;
  tensors.forEach((t, i) => {
    const padded = alignUp(t.nbytes, alignment);
    if (i > start && size + padded > maxBytes) {
      groups.push([start, i]);
      start = i;
      size = 0;
    }
    size += padded;
  });
  groups.push([start, tensors.length]);
  if (groups.length > MAX_SHARDS) fail("LIMIT_EXCEEDED", { detail: `${groups.length} shards of at most ${maxBytes} bytes; split.count is a u16 (at most ${MAX_SHARDS})` });
  return groups;
}

export function splitKvs(no: number, count: number, tensorCount: number): MetadataKv[] {
  return [
    { key: SPLIT.NO, type: T.UINT16, value: no },
    { key: SPLIT.COUNT, type: T.UINT16, value: count },
    { key: SPLIT.TENSORS_COUNT, type: T.INT32, value: tensorCount },
  ];
}

/** Declares a shard's KVs and tensor infos on a writer (the same calls for planning and for writing). */
export function declareShard(writer: GgufWriter, kv: readonly MetadataKv[], tensors: readonly ShardTensor[]): void {
  for (const entry of kv) writer.addKv(entry.key, entry.type, entry.value);
  for (const t of tensors) writer.addTensorInfo(t.name, t.ggmlType, t.dims, t.nbytes);
}

const PLANNING_SINK: ByteSink = {
  position: 0,
  write: async () => fail("WRITER_STATE", { detail: "the planning writer never writes" }),
};

export interface ShardLayout extends PlannedShard {
  layout: GgufLayout;
}

/** Every output file with its KVs, tensor range and exact layout. */
export function layoutShards(
  output: string,
  kv: readonly MetadataKv[],
  tensors: readonly ShardTensor[],
  options: { alignment: number; flavor: GgufFlavor; splitMaxBytes: number | undefined },
): ShardLayout[] {
  const groups = groupTensors(tensors, options.alignment, options.splitMaxBytes);
  const split = options.splitMaxBytes !== undefined;
  const paths = split ? shardPaths(output, groups.length) : [output];
  return groups.map(([start, end], i) => {
    const shardKv = split ? [...(i === 0 ? kv : []), ...splitKvs(i, groups.length, tensors.length)] : kv;
    const writer = createGgufWriter(PLANNING_SINK, { alignment: options.alignment, flavor: options.flavor });
    declareShard(writer, shardKv, tensors.slice(start, end));
    const layout = writer.plan();
    return { path: paths[i]!, first: start, count: end - start, kv: shardKv, dataOffset: layout.dataOffset, fileSize: layout.fileSize, layout };
  });
}
