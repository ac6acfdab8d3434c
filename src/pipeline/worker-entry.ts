/**
 * The worker thread's script (built to dist/pipeline-worker.js): runs map → quantize → pack →
 * verify on each job it is sent and posts the result (or the error) back.
 */
import { parentPort } from "node:worker_threads";
import { readFileRange } from "../core/io.js";
import { FloatScratch } from "./scratch.js";
import { processJob } from "./steps.js";
import type { TensorJob } from "./types.js";
import { forTransfer, serializeError, type WorkerRecycle, type WorkerRequest, type WorkerResponse } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("pipeline-worker.js runs only as a worker thread");
const scratch = new FloatScratch();

/** The job with the checkpoint bytes it names read in (into the thread's read buffer). */
function readRanges(job: TensorJob): TensorJob {
  if (!job.ranges) return job;
  const { ranges, ...rest } = job;
  const data = readFileRange(ranges.data, scratch.takeRead(ranges.data.length));
  return ranges.weightScale ? { ...rest, data, weightScale: readFileRange(ranges.weightScale) } : { ...rest, data };
}

/** The result with a payload that is a view of the read buffer copied out (the next read reuses it). */
function ownBytes(done: TensorJob): TensorJob {
  return scratch.holdsRead(done.bytes) ? { ...done, bytes: done.bytes!.slice() } : done;
}

port.on("message", (msg: WorkerRequest) => {
  const { id, job, options } = msg;
  // The message stays reachable for the whole handler: let go of its job so that processJob can
  // drop the checkpoint bytes after map.
  (msg as { job?: TensorJob }).job = undefined;
  // The checkpoint bytes arrived as a buffer of their own: it goes back to the main thread's read
  // pool once processJob says nothing uses it any more (before pack and verify, for a ternarized tensor).
  const input = job.data?.buffer;
  let recycled = false;
  const recycle = (): void => {
    if (recycled || !(input instanceof ArrayBuffer)) return;
    recycled = true;
    port.postMessage({ recycled: input } satisfies WorkerRecycle, [input]);
  };
  let response: WorkerResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    const done = forTransfer(ownBytes(processJob(readRanges(job), options, scratch, recycle)));
    if (!done.transfer.includes(input as ArrayBuffer)) recycle();
    response = { id, ok: true, job: done.job };
    transfer = done.transfer;
  } catch (e) {
    response = { id, ok: false, error: serializeError(e) };
  }
  port.postMessage(response, transfer);
});
