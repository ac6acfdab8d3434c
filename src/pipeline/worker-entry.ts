/**
 * The worker thread's script (built to dist/pipeline-worker.js): runs map → quantize → pack →
 * verify on each job it is sent and posts the result (or the error) back.
 */
import { parentPort } from "node:worker_threads";
import { processJob } from "./steps.js";
import { forTransfer, serializeError, type WorkerRequest, type WorkerResponse } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("pipeline-worker.js runs only as a worker thread");

port.on("message", ({ id, job, options }: WorkerRequest) => {
  let response: WorkerResponse;
  let transfer: ArrayBuffer[] = [];
  try {
    const done = forTransfer(processJob(job, options));
    response = { id, ok: true, job: done.job };
    transfer = done.transfer;
  } catch (e) {
    response = { id, ok: false, error: serializeError(e) };
  }
  port.postMessage(response, transfer);
});
