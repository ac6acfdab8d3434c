/**
 * The write stage: the plan's files, each through the GGUF writer (header first, then tensor data
 * in plan order) into a temporary file. Shards are nested: shard i+1 is written inside shard i's
 * atomic write, so the renames into place happen only after the last byte of the last shard, and
 * an error or an abort anywhere removes every temporary file (and any shard already renamed).
 */
import { rm } from "node:fs/promises";
import { writeFileAtomically, type ByteSink } from "../core/atomic-file.js";
import { fail } from "../core/errors.js";
import { alignUp } from "../../formats/gguf/align.js";
import type { GgufFlavor } from "../../formats/gguf/ggml-types.js";
import { createGgufWriter } from "../../formats/gguf/writer.js";
import { declareShard } from "./shards.js";
import { checkAborted } from "./stages.js";
import { jobReport } from "./steps.js";
import type { ConversionPlan, PlannedShard, ProgressEvent, TensorJob } from "./types.js";

export interface WriteOptions {
  flavor: GgufFlavor;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  wrapSink?: (sink: ByteSink, path: string) => ByteSink;
}

/** Writes every file of `plan` from `jobs` (packed, in plan order); returns their reports (no arrays kept). */
export async function writeGguf(plan: ConversionPlan, jobs: AsyncIterable<TensorJob>, options: WriteOptions): Promise<TensorJob[]> {
  const it = jobs[Symbol.asyncIterator]();
  const written: TensorJob[] = [];
  const committed: string[] = [];
  const bytesTotal = plan.totals.fileBytes;
  let bytesDone = 0;

  async function nextJob(expected: string): Promise<TensorJob> {
    const next = await it.next();
    if (next.done) return fail("WRITER_STATE", { tensor: expected, detail: "the tensor stream ended before this tensor" });
    if (next.value.tensor.name !== expected) fail("WRITER_STATE", { tensor: next.value.tensor.name, detail: `expected tensor '${expected}' next` });
    return next.value;
  }

  async function writeShard(i: number, shard: PlannedShard): Promise<void> {
    await writeFileAtomically(shard.path, async (fileSink) => {
      const sink = options.wrapSink ? options.wrapSink(fileSink, shard.path) : fileSink;
      const writer = createGgufWriter(sink, { alignment: plan.alignment, flavor: options.flavor });
      const tensors = plan.tensors.slice(shard.first, shard.first + shard.count);
      declareShard(writer, shard.kv, tensors);
      const layout = await writer.writeHeader();
      if (layout.dataOffset !== shard.dataOffset) fail("WRITER_STATE", { file: shard.path, detail: `data starts at ${layout.dataOffset}, the plan says ${shard.dataOffset}` });
      bytesDone += layout.dataOffset;
      for (const t of tensors) {
        checkAborted(options.signal);
        const job = await nextJob(t.name);
        await writer.writeTensorData(t.name, job.bytes ?? fail("WRITER_STATE", { tensor: t.name, detail: "the job has no packed bytes" }));
        bytesDone += alignUp(t.nbytes, plan.alignment);
        written.push(jobReport(job));
        const shards = plan.shards.length;
        options.onProgress?.({ tensor: t.name, tensorsDone: written.length, tensorsTotal: plan.tensors.length, bytesDone, bytesTotal, shard: i, shards });
      }
      await writer.close();
      checkAborted(options.signal);
      const next = plan.shards[i + 1];
      if (next) {
        await writeShard(i + 1, next);
        committed.push(next.path);
      } else {
        const extra = await it.next();
        if (!extra.done) fail("WRITER_STATE", { tensor: extra.value.tensor.name, detail: "the tensor stream has more tensors than the plan" });
      }
    });
  }

  try {
    await writeShard(0, plan.shards[0] ?? fail("WRITER_STATE", { detail: "the plan has no output file" }));
    return written;
  } catch (e) {
    await Promise.all(committed.map((path) => rm(path, { force: true }).catch(() => {})));
    throw e;
  } finally {
    await it.return?.();
  }
}
