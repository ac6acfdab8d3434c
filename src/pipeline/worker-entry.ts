/**
 * The worker thread's script (built to dist/pipeline-worker.js): runs map → quantize → pack →
 * verify on each job it is sent and posts the result (or the error) back.
 */
import { parentPort } from "node:worker_threads";
import { FloatScratch } from "./scratch.js";
import { processJob } from "./steps.js";
import type { TensorJob } from "./types.js";
import { forTransfer, serializeError, type WorkerRequest, type WorkerResponse } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("pipeline-worker.js runs only as a worker thread");
const scratch = new FloatScratch();

port.on("message", (msg: WorkerRequest) => {
  const { id, job, options } = msg;
  // The message stays reachable for the whole handler: let go of its job so that processJob can
  // drop the checkpoint bytes after map.
  (msg as { job?: TensorJob }).job = undefined;
  let response: WorkerResponse;
  let transfer: ArrayBuffer[] = [];
  // The checkpoint bytes arrived as a buffer of their own; once the job is done nothing here uses
  // it (unless the payload is a view of it), so it goes back to the main thread's read pool.
  const input = job.data?.buffer;
  try {
    const done = forTransfer(processJob(job, options, scratch));
    const recycled = input instanceof ArrayBuffer && !done.transfer.includes(input) ? input : undefined;
    response = recycled ? { id, ok: true, job: done.job, recycled } : { id, ok: true, job: done.job };
    transfer = recycled ? [...done.transfer, recycled] : done.transfer;
  } catch (e) {
    response = { id, ok: false, error: serializeError(e) };
  }
  port.postMessage(response, transfer);
});
