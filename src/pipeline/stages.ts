/**
 * Stages: functions from one async iterable of jobs to another, so that the conversion can be
 * taken apart and put back together (`pipe(read(...), mapStage(), quantizeStage(), ...)`).
 * Tensors flow one at a time; `orderedStage` keeps a bounded number in flight (for worker threads)
 * and still yields them in input order.
 */
import { TernpackError } from "../core/errors.js";
import type { FileRange } from "../core/io.js";
import type { TensorAccess } from "../../formats/safetensors/tensor-access.js";
import type { TensorInfo } from "../../formats/safetensors/types.js";
import { readBuffers } from "./read-buffers.js";
import { mapJob, packJob, quantizeJob, verifyJob, type VerifyStepOptions } from "./steps.js";
import type { PlannedTensor, TensorJob } from "./types.js";

export type Stage<I, O> = (input: AsyncIterable<I>) => AsyncIterable<O>;

/** `source` through each stage in turn. */
export function pipe<A>(source: AsyncIterable<A>): AsyncIterable<A>;
export function pipe<A, B>(source: AsyncIterable<A>, s1: Stage<A, B>): AsyncIterable<B>;
export function pipe<A, B, C>(source: AsyncIterable<A>, s1: Stage<A, B>, s2: Stage<B, C>): AsyncIterable<C>;
export function pipe<A, B, C, D>(source: AsyncIterable<A>, s1: Stage<A, B>, s2: Stage<B, C>, s3: Stage<C, D>): AsyncIterable<D>;
export function pipe<A, B, C, D, E>(source: AsyncIterable<A>, s1: Stage<A, B>, s2: Stage<B, C>, s3: Stage<C, D>, s4: Stage<D, E>): AsyncIterable<E>;
export function pipe<A, B, C, D, E, F>(
  source: AsyncIterable<A>,
  s1: Stage<A, B>,
  s2: Stage<B, C>,
  s3: Stage<C, D>,
  s4: Stage<D, E>,
  s5: Stage<E, F>,
): AsyncIterable<F>;
export function pipe(source: AsyncIterable<unknown>, ...stages: Stage<unknown, unknown>[]): AsyncIterable<unknown> {
  return stages.reduce((it, stage) => stage(it), source);
}

/** A stage applying `fn` to each item, one at a time. */
export function stage<I, O>(fn: (item: I) => O | Promise<O>): Stage<I, O> {
  return async function* (input) {
    for await (const item of input) yield await fn(item);
  };
}

/**
 * A stage running `fn` on items while their weights in flight stay under `concurrency`, yielding
 * results in input order. Items are pulled from `input` only when there is room. Every item
 * weighs 1 unless `weight` says otherwise (convert weighs a tensor by its bytes against the
 * largest one, so that small tensors do not hold a place a large one needs while the head of the
 * line is still being worked on); at most 4 × concurrency items are in flight whatever they weigh.
 */
export function orderedStage<I, O>(fn: (item: I) => Promise<O>, concurrency: number, weight: (item: I) => number = () => 1): Stage<I, O> {
  const limit = Math.max(1, concurrency);
  return async function* (input) {
    const it = input[Symbol.asyncIterator]();
    const inFlight: { result: Promise<O>; weight: number }[] = [];
    let load = 0;
    let exhausted = false;
    const topUp = async (): Promise<void> => {
      while (!exhausted && load < limit && inFlight.length < 4 * limit) {
        const next = await it.next();
        if (next.done) exhausted = true;
        else {
          const result = fn(next.value);
          result.catch(() => {}); // rejections surface when the result is awaited in order
          const w = weight(next.value);
          inFlight.push({ result, weight: w });
          load += w;
        }
      }
    };
    try {
      await topUp();
      for (;;) {
        const head = inFlight.shift();
        if (head === undefined) return;
        const result = await head.result;
        load -= head.weight;
        // Start the next item before handing this one on, so that no worker idles while the
        // consumer (the writer) is busy with it.
        await topUp();
        yield result;
      }
    } finally {
      await it.return?.();
    }
  };
}

/** The INTERRUPTED error for an aborted signal, with the abort reason. */
export function abortError(signal: AbortSignal): TernpackError {
  const reason = signal.reason instanceof Error ? signal.reason.message : signal.reason === undefined ? "" : String(signal.reason);
  return new TernpackError("INTERRUPTED", { detail: reason === "" ? "aborted" : reason });
}

/** Throws INTERRUPTED once `signal` is aborted. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * The read stage: each planned tensor with its checkpoint bytes (and weight_scale bytes when HF
 * packed), read into a buffer a worker gave back (read-buffers.ts) when one of the size is pooled.
 */
export function readTensors(checkpoint: TensorAccess, tensors: Iterable<PlannedTensor>, signal?: AbortSignal): AsyncIterable<TensorJob> {
  return (async function* () {
    for (const tensor of tensors) {
      checkAborted(signal);
      const size = checkpoint.get(tensor.source)?.byteLength;
      const data = await checkpoint.readBytes(tensor.source, size === undefined ? undefined : readBuffers.take(size));
      const weightScale = tensor.packed ? await checkpoint.readBytes(tensor.packed.weightScale) : undefined;
      yield weightScale ? { tensor, data, weightScale } : { tensor, data };
    }
  })();
}

/** orderedStage weights of read jobs: a job's checkpoint bytes as a fraction of the largest tensor's. */
export function readWeight(checkpoint: TensorAccess, tensors: readonly PlannedTensor[]): (job: TensorJob) => number {
  const largest = tensors.reduce((max, t) => Math.max(max, checkpoint.get(t.source)?.byteLength ?? 0), 1);
  return (job) => (job.data?.length ?? job.ranges?.data.length ?? 0) / largest;
}

/** Where a tensor's bytes are, when the checkpoint says which file holds them. */
function fileRange(checkpoint: TensorAccess, name: string): FileRange | undefined {
  const info = checkpoint.get(name) as (TensorInfo & { file?: string; fileSize?: number }) | undefined;
  if (info?.file === undefined) return undefined;
  return { file: info.file, offset: info.byteOffset, length: info.byteLength, ...(info.fileSize === undefined ? {} : { fileSize: info.fileSize }) };
}

/**
 * The ranges stage, for worker threads that read for themselves: each planned tensor with where
 * its bytes (and weight_scale bytes) are, nothing read here; undefined when some tensor's file is
 * not known (a checkpoint over other sources), and the read stage must be used.
 */
export function tensorRanges(checkpoint: TensorAccess, tensors: readonly PlannedTensor[]): AsyncIterable<TensorJob> | undefined {
  const jobs: TensorJob[] = [];
  for (const tensor of tensors) {
    const data = fileRange(checkpoint, tensor.source);
    const weightScale = tensor.packed ? fileRange(checkpoint, tensor.packed.weightScale) : undefined;
    if (!data || (tensor.packed && !weightScale)) return undefined;
    jobs.push({ tensor, ranges: weightScale ? { data, weightScale } : { data } });
  }
  return (async function* () {
    yield* jobs;
  })();
}

export const mapStage = (): Stage<TensorJob, TensorJob> => stage(mapJob);
export const quantizeStage = (): Stage<TensorJob, TensorJob> => stage(quantizeJob);
export const packStage = (): Stage<TensorJob, TensorJob> => stage(packJob);
export const verifyStage = (options: VerifyStepOptions = {}): Stage<TensorJob, TensorJob> => stage((job: TensorJob) => verifyJob(job, options));
