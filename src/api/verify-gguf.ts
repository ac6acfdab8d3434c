/**
 * `verifyGguf`: re-reads a GGUF and checks every ternary tensor (TQ1_0, TQ2_0, I2_S, TL1, TL2)
 * through the independent reference kernels: the payload decodes (no INVALID_CODE), the kernel's
 * GEMV from the bytes equals the dense integer reference on seeded int8 probes, scales are in
 * range, reserved bytes are zero; with `source`, codes and scales must also equal what the
 * converter's rule gives for the source weights (see verify-gguf-source.ts). A shard of a split
 * set stands for the whole set (every shard is read, with shard 1's metadata). Tensors are read one
 * at a time. Per-tensor problems are reported; unreadable files and bad options throw.
 */
import { withFileSource } from "../core/io.js";
import { fail } from "../core/errors.js";
import { GENERAL, GGUF_VALUE_TYPE, parseShardName, readGguf, readTensorData, shardSetPaths, SPLIT, type FlavorOption, type GgufFile, type ReadGgufOptions } from "../../formats/gguf/index.js";
import type { GgufFlavor } from "../../formats/gguf/ggml-types.js";
import type { TlParams } from "../../formats/layouts/types.js";
import { hasKernel } from "../../kernels/index.js";
import type { Environment } from "../hub/cache-dir.js";
import type { VerifyOptions } from "../verify/index.js";
import { openSourceModel, type SourceModel } from "./verify-gguf-source.js";
import { verifyGgufTensor, type GgufTensorResult } from "./verify-gguf-tensor.js";

export type { GgufCheckName, GgufTensorFailure, GgufTensorResult } from "./verify-gguf-tensor.js";
export { ternaryFromPacked, ternaryFromValues, type CodeSource, type SourceTernary, type TernarySourceFacts } from "./verify-gguf-source.js";
export { tlKvKey, type TensorTiling, type TilingSource, type TlKvField } from "./verify-gguf-tl.js";

export interface VerifyGgufOptions {
  /** The model the GGUF was converted from: a folder, a safetensors file or a repo id in the local HF cache. */
  source?: string;
  /** Revision of `source` when it is a repo id (default "main"). */
  revision?: string;
  /** Environment for finding the HF cache (default `process.env`). */
  env?: Environment;
  /** TL1/TL2 tiling for every TL tensor (overrides the tiling the file records in its `ternpack.tl*.*` KVs). */
  tl?: TlParams;
  /** GEMV probe seeds and tokens per seed (the verifier's defaults: [1], 3). */
  seeds?: readonly number[];
  tokens?: number;
  /** How to read ggml type ids 36–42 (default "auto"). */
  flavor?: FlavorOption;
  /** For a shard of a split set (`-0000k-of-0000N.gguf`): verify every shard of the set (default true) or only this one. */
  wholeSet?: boolean;
}

export interface VerifyGgufReport {
  file: string;
  /** The files read: `file`, or every shard of its split set. */
  files: string[];
  /** "bitnet.cpp" when any file was read with bitnet.cpp's type ids, else "upstream". */
  flavor: GgufFlavor;
  /** The resolved source path, when a source was given. */
  source?: string;
  /** One result per ternary tensor, in file order. */
  tensors: GgufTensorResult[];
  /** Tensors of other types, not verified. */
  skipped: { name: string; type: string }[];
  /** Every ternary tensor passed (true also when the file has none: see `tensors.length`). */
  ok: boolean;
  elapsedMs: number;
}

/**
 * What to read for `path`: every shard of its split set (unless `whole` is false) when the name is a
 * shard name and shard 1 says the model is split, else `path` alone; with the header that holds the
 * model's KVs (shard 1's for a set) and the file it came from.
 */
async function filesToVerify(path: string, read: ReadGgufOptions, whole: boolean): Promise<{ files: string[]; head: GgufFile; headPath: string }> {
  const shard = parseShardName(path);
  const first = shard ? shardSetPaths(shard)[0]! : path;
  const head = await readGguf(first, read).catch((cause: unknown) =>
    first === path ? Promise.reject(cause) : fail("SHARD_MISSING", { file: path, detail: `shard 1 of its set (${first}), which holds the model's metadata, cannot be read: ${(cause as Error).message}` }),
  );
  const count = head.kv.get(SPLIT.COUNT);
  if (!shard || count === undefined) return first === path ? { files: [path], head, headPath: path } : { files: [path], head: await readGguf(path, read), headPath: path };
  if (Number(count.value) !== shard.count) {
    fail("SHARD_MISSING", { file: path, detail: `split.count is ${String(count.value)}, but the file name names a set of ${shard.count}` });
  }
  return { files: whole ? shardSetPaths(shard) : [path], head, headPath: first };
}

function verifyOptions(o: VerifyGgufOptions): VerifyOptions {
  return { ...(o.seeds ? { seeds: o.seeds } : {}), ...(o.tokens !== undefined ? { tokens: o.tokens } : {}) };
}

export async function verifyGguf(path: string, options: VerifyGgufOptions = {}): Promise<VerifyGgufReport> {
  const start = performance.now();
  const source: SourceModel | undefined =
    options.source === undefined
      ? undefined
      : await openSourceModel(options.source, {
          ...(options.env !== undefined ? { env: options.env } : {}),
          ...(options.revision !== undefined ? { revision: options.revision } : {}),
        });
  try {
    const { files, head, headPath } = await filesToVerify(path, options.flavor ? { flavor: options.flavor } : {}, options.wholeSet !== false);
    // Shards after the first hold only split keys: tiling KVs and the architecture come from shard 1.
    const arch = head.kv.get(GENERAL.ARCHITECTURE);
    const read = { ...(options.flavor ? { flavor: options.flavor } : {}), ...(arch?.type === GGUF_VALUE_TYPE.STRING ? { architecture: arch.value } : {}) };
    const ctx = { kv: head.kv, source, tl: options.tl, verify: verifyOptions(options) };
    const tensors: GgufTensorResult[] = [];
    const skipped: { name: string; type: string }[] = [];
    let flavor: GgufFlavor = "upstream";
    for (const f of files) {
      await withFileSource(f, async (file) => {
        const gguf = f === headPath ? head : await readGguf(file, read);
        if (gguf.flavor === "bitnet.cpp") flavor = "bitnet.cpp";
        for (const info of gguf.tensors) {
          const layout = info.typeName.toLowerCase();
          if (!hasKernel(layout)) skipped.push({ name: info.name, type: info.typeName });
          else tensors.push(await verifyGgufTensor(info, layout, await readTensorData(file, info), ctx));
        }
      });
    }
    return {
      file: path,
      files,
      flavor,
      ...(source ? { source: source.path } : {}),
      tensors,
      skipped,
      ok: tensors.every((t) => t.ok),
      elapsedMs: performance.now() - start,
    };
  } finally {
    await source?.close();
  }
}
