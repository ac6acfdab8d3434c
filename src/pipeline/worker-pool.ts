/**
 * Where map → quantize → pack → verify runs: inline on the main thread (`workers: 0`, or when the
 * worker script is not next to this module, as when running from TypeScript sources) or on a pool
 * of worker threads running dist/pipeline-worker.js. Each worker handles one job at a time; the
 * steps are pure, so the output is the same whatever the thread count. Node-only.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { TernpackError } from "../core/errors.js";
import { readBuffers } from "./read-buffers.js";
import { FloatScratch } from "./scratch.js";
import { processJob, type VerifyStepOptions } from "./steps.js";
import type { TensorJob } from "./types.js";
import { deserializeError, forTransfer, type WorkerMessage, type WorkerResponse } from "./worker-protocol.js";

export const WORKER_SCRIPT = "pipeline-worker.js";

export interface Processor {
  /** Worker threads in use (0 = inline). */
  readonly threads: number;
  /** Why fewer threads than asked for are used, if so. */
  readonly note: string | undefined;
  process(job: TensorJob): Promise<TensorJob>;
  /** Stops the threads; jobs still running are rejected with `reason`. */
  close(reason?: Error): Promise<void>;
}

/**
 * The folder of the running module: the bundle's folder in dist, this file's folder in sources.
 * import.meta.url first (a global `__dirname` can exist in ESM, e.g. under `node -e`); the
 * CommonJS bundle has no import.meta.url and uses its own `__dirname`.
 */
function moduleDir(): string {
  const url = (import.meta as { url?: string }).url;
  return url ? dirname(fileURLToPath(url)) : __dirname;
}

/** dist/pipeline-worker.js next to the running bundle, or undefined when it is not there. */
export function findWorkerScript(): string | undefined {
  const path = join(moduleDir(), WORKER_SCRIPT);
  return existsSync(path) ? path : undefined;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

function inlineProcessor(options: VerifyStepOptions, note: string | undefined): Processor {
  const scratch = new FloatScratch(); // lives as long as this conversion
  return {
    threads: 0,
    note,
    async process(job) {
      await nextTick(); // let I/O, abort signals and progress callbacks run between tensors
      return processJob(job, options, scratch);
    },
    async close() {},
  };
}

interface Task {
  id: number;
  job: TensorJob;
  resolve(job: TensorJob): void;
  reject(e: Error): void;
}

class WorkerPool implements Processor {
  readonly note = undefined;
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private readonly all: Worker[] = [];
  private nextId = 0;
  private failure: Error | undefined;

  constructor(
    script: string,
    readonly threads: number,
    private readonly options: VerifyStepOptions,
  ) {
    for (let i = 0; i < threads; i++) this.spawn(script);
  }

  private spawn(script: string): void {
    const worker = new Worker(script);
    worker.on("message", (msg: WorkerMessage) => ("recycled" in msg ? readBuffers.give(msg.recycled) : this.settle(worker, msg)));
    worker.on("error", (e) => this.crash(worker, e));
    worker.on("exit", (code) => {
      if (this.failure === undefined) this.crash(worker, new TernpackError("INTERRUPTED", { detail: `a pipeline worker thread exited unexpectedly (code ${code})` }));
    });
    this.all.push(worker);
    this.idle.push(worker);
  }

  process(job: TensorJob): Promise<TensorJob> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.running.set(worker, task);
      const { job, transfer } = forTransfer(task.job);
      worker.postMessage({ id: task.id, job, options: this.options }, transfer);
    }
  }

  private settle(worker: Worker, msg: WorkerResponse): void {
    const task = this.running.get(worker);
    if (!task || task.id !== msg.id) return;
    this.running.delete(worker);
    this.idle.push(worker);
    if (msg.ok) task.resolve(msg.job);
    else task.reject(deserializeError(msg.error));
    this.dispatch();
  }

  private crash(worker: Worker, e: Error): void {
    const task = this.running.get(worker);
    this.running.delete(worker);
    void this.close(e);
    task?.reject(e);
  }

  async close(reason: Error = new TernpackError("INTERRUPTED", { detail: "the worker pool was closed" })): Promise<void> {
    this.failure ??= reason;
    for (const task of [...this.running.values(), ...this.queue.splice(0)]) task.reject(this.failure);
    this.running.clear();
    this.idle.length = 0;
    readBuffers.clear();
    const workers = this.all.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Runs jobs on `workers` threads, or inline when `workers` is 0 or the worker script is missing. */
export function createProcessor(workers: number, options: VerifyStepOptions = {}): Processor {
  if (workers <= 0) return inlineProcessor(options, undefined);
  const script = findWorkerScript();
  if (script === undefined) {
    return inlineProcessor(options, `worker script ${WORKER_SCRIPT} not found next to ${moduleDir()} (running from sources?): converting on the main thread`);
  }
  return new WorkerPool(script, workers, options);
}
