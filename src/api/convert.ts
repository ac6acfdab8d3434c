/**
 * `convert(options)`: a Hugging Face checkpoint → a verified ternary (or baseline float) GGUF; with
 * method "cb158", a GGUF whose block projections are the F16 export of verified CB158 tensors; with
 * format "tpk", a ternpack container holding the packed tensors (CB158 included) as they are.
 * Plan from headers first, then read → map → quantize → pack → verify → write, one tensor at a
 * time (a few with worker threads), into temporary files renamed into place only when complete.
 * `dryRun` returns the plan without reading any tensor data.
 */
import { basename, resolve } from "node:path";
import { fail } from "../core/errors.js";
import { buildPlan, flavorOf } from "../pipeline/plan.js";
import { resolveOptions, type ConvertOptions } from "../pipeline/options.js";
import { conversionResult, type ConvertResult } from "../pipeline/report.js";
import { attachImportance, loadImportance } from "../pipeline/importance.js";
import { headEqualsEmbedding, needsHeadComparison, openModelSource } from "../pipeline/source.js";
import { abortError, checkAborted, orderedStage, pipe, readTensors, readWeight, stage, tensorRanges } from "../pipeline/stages.js";
import type { ConversionPlan, TensorJob } from "../pipeline/types.js";
import { createProcessor } from "../pipeline/worker-pool.js";
import { writeGguf } from "../pipeline/write.js";
import { writeContainer } from "../pipeline/write-container.js";

export type { ConvertOptions } from "../pipeline/options.js";
export type { ConvertResult, TensorReport } from "../pipeline/report.js";
export type { Cb158TensorReport, Cb158Totals } from "../pipeline/cb158-report.js";

const UNCOMPARED_HEAD =
  "dry run: lm_head.weight and model.embed_tokens.weight were not compared (that reads tensor data); the plan assumes they differ, a real run writes only token_embd if they are identical";

/**
 * A CB158 tensor must come back with its report (the bit-exact decode check ran): a worker script
 * built from older sources would otherwise write the unquantized weights as F16 without a word.
 */
function requireCb158Check(job: TensorJob): TensorJob {
  if (job.tensor.cb158 && !job.cb158) {
    fail("VERIFY_FAILED", { tensor: job.tensor.name, detail: "the CB158 tensor came back unquantized and unchecked (is dist/pipeline-worker.js older than the sources?)" });
  }
  return job;
}

/** The plan of `convert(options)`, from headers only (the same as `convert({ ...options, dryRun: true }).plan`). */
export async function planConversion(options: ConvertOptions): Promise<ConversionPlan> {
  return (await convert({ ...options, dryRun: true })).plan;
}

export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const startedAt = performance.now();
  const o = resolveOptions(options);
  const { signal } = options;
  checkAborted(signal);
  const source = await openModelSource(options.input, options);
  try {
    const plan = buildPlan({
      source,
      options: o,
      output: options.output ?? resolve(`${basename(source.folder)}.${o.format}`),
      headEqualsEmbedding: options.dryRun ? undefined : await headEqualsEmbedding(source),
      metadata: options.metadata,
    });
    if (options.dryRun) {
      const warnings = needsHeadComparison(source) ? [UNCOMPARED_HEAD] : [];
      return conversionResult(plan, { dryRun: true, written: [], warnings, workers: 0, startedAt });
    }

    checkAborted(signal);
    const importance = o.cb158 ? await loadImportance(o.cb158.importance, source, plan) : { matrix: undefined, warnings: [] };
    checkAborted(signal);
    const processor = createProcessor(o.workers, { verify: o.verify, verifyOptions: o.verifyOptions });
    const stopWorkers = () => void processor.close(abortError(signal!));
    signal?.addEventListener("abort", stopWorkers, { once: true });
    try {
      // Worker threads read their tensors themselves when the files are known (not over custom sources).
      const ranges = processor.threads > 0 && !options.openSource ? tensorRanges(source.checkpoint, plan.tensors) : undefined;
      const jobs = pipe(
        ranges ?? readTensors(source.checkpoint, plan.tensors, signal),
        attachImportance(importance.matrix),
        // One largest tensor more than there are workers, so that a worker never waits for the next read.
        processor.threads === 0
          ? orderedStage((job) => processor.process(job), 1)
          : orderedStage((job) => processor.process(job), processor.threads + 1, readWeight(source.checkpoint, plan.tensors)),
        stage(requireCb158Check),
      );
      const sinkOptions = { signal, onProgress: options.onProgress, wrapSink: options.wrapSink };
      const { written, fileBytes } =
        o.format === "tpk"
          ? await writeContainer(plan, jobs, { source, options: o, config: options.config, tokenizer: options.tokenizer }, sinkOptions)
          : { written: await writeGguf(plan, jobs, { flavor: flavorOf(o), ...sinkOptions }), fileBytes: undefined };
      const warnings = [...importance.warnings, ...(processor.note ? [processor.note] : [])];
      return conversionResult(plan, { dryRun: false, written, warnings, workers: processor.threads, startedAt, fileBytes });
    } finally {
      signal?.removeEventListener("abort", stopWorkers);
      await processor.close();
    }
  } finally {
    await source.checkpoint.close();
  }
}
