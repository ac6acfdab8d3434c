/**
 * The stages one by one: composed by hand they give convert()'s bytes; orderedStage keeps order
 * and bounds the work in flight; a corrupted payload is stopped by the verify stage; already
 * ternary weights are detected and kept losslessly; progress events add up to the file.
 */
import { cp, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { openCheckpoint, writeSafetensors, type TensorToWrite } from "../../formats/safetensors/index.js";
import { encodeHalves } from "../../src/core/half.js";
import { getKernel } from "../../kernels/index.js";
import { buildPlan, flavorOf } from "../../src/pipeline/plan.js";
import { resolveOptions } from "../../src/pipeline/options.js";
import { openModelSource } from "../../src/pipeline/source.js";
import { mapStage, orderedStage, packStage, pipe, quantizeStage, readTensors, stage, verifyStage } from "../../src/pipeline/stages.js";
import type { ProgressEvent, TensorJob } from "../../src/pipeline/types.js";
import { writeGguf } from "../../src/pipeline/write.js";
import { hashOf, model, readGgufFully, useTempDir } from "./helpers.js";

const tmp = useTempDir();
const ONE_BIT = model("bitnet-synth-1bitllm");

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* from<T>(items: readonly T[]): AsyncIterable<T> {
  for (const x of items) yield x;
}

describe("stages", () => {
  it("read → map → quantize → pack → verify → write by hand gives convert()'s bytes", async () => {
    const dir = await tmp();
    const viaConvert = join(dir, "convert.gguf");
    await convert({ input: ONE_BIT, output: viaConvert, workers: 0 });

    const output = join(dir, "stages.gguf");
    const options = resolveOptions({ input: ONE_BIT, output });
    const source = await openModelSource(ONE_BIT);
    try {
      const plan = buildPlan({ source, options, output });
      const jobs = pipe(readTensors(source.checkpoint, plan.tensors), mapStage(), quantizeStage(), packStage(), verifyStage());
      const written = await writeGguf(plan, jobs, { flavor: flavorOf(options) });
      expect(written.filter((j) => j.verification?.ok)).toHaveLength(14);
    } finally {
      await source.checkpoint.close();
    }
    expect(hashOf(await readFile(output))).toBe(hashOf(await readFile(viaConvert)));
  });

  it("a payload corrupted between pack and verify → VERIFY_FAILED naming the tensor", async () => {
    const options = resolveOptions({ input: ONE_BIT, output: "unused.gguf" });
    const source = await openModelSource(ONE_BIT);
    try {
      const plan = buildPlan({ source, options, output: "unused.gguf" });
      const victim = "blk.1.ffn_up.weight";
      const corrupt = stage((job: TensorJob) => {
        if (job.tensor.name !== victim) return job;
        const bytes = job.bytes!.slice();
        bytes[1000] = bytes[1000]! ^ 0x04;
        return { ...job, bytes };
      });
      const jobs = pipe(readTensors(source.checkpoint, plan.tensors), mapStage(), quantizeStage(), packStage(), corrupt, verifyStage());
      await expect(collect(jobs)).rejects.toMatchObject({ code: "VERIFY_FAILED", tensor: victim });
    } finally {
      await source.checkpoint.close();
    }
  });

  it("orderedStage yields in input order and never runs more than `concurrency` at once", async () => {
    let running = 0;
    let peak = 0;
    const slow = async (x: number) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, (7 - x) * 3)); // later items finish first
      running -= 1;
      return x * 10;
    };
    expect(await collect(orderedStage(slow, 3)(from([0, 1, 2, 3, 4, 5, 6])))).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(3);
  });

  it("already-ternary weights (σ·t in F16) are detected and give the same TQ2_0 tensors losslessly", async () => {
    const dir = await tmp();
    const first = join(dir, "first.gguf");
    const firstRun = await convert({ input: ONE_BIT, output: first, workers: 0 });
    const { data } = await readGgufFully(first);

    // A checkpoint whose projections hold exactly σ16·t: what a fake-quantized export stores.
    const input = join(dir, "fake-quant");
    await cp(ONE_BIT, input, { recursive: true });
    const checkpoint = await openCheckpoint(ONE_BIT);
    const tensors: TensorToWrite[] = [];
    for (const t of checkpoint.tensors) {
      const planned = firstRun.plan.tensors.find((p) => p.source === t.name);
      let bytes = await checkpoint.readBytes(t.name);
      if (planned?.ternaryLayout) {
        const { codes, scales } = getKernel("tq2_0").codes(data.get(planned.name)!, planned.shape);
        const sigma = Math.max(...scales);
        bytes = encodeHalves(Float32Array.from(codes, (c) => c * sigma), "f16");
      }
      tensors.push({ name: t.name, dtype: t.dtype, shape: t.shape, data: bytes });
    }
    await checkpoint.close();
    await writeSafetensors(join(input, "model.safetensors"), tensors, { format: "pt" });

    const second = join(dir, "second.gguf");
    const result = await convert({ input, output: second, workers: 0 });
    expect(result.tensors.filter((t) => t.codeSource === "detected")).toHaveLength(14);
    const again = await readGgufFully(second);
    for (const [name, bytes] of data) expect(hashOf(again.data.get(name)!), name).toBe(hashOf(bytes));
  });

  it("verify: false writes the same bytes without running the reference kernels", async () => {
    const dir = await tmp();
    const [a, b] = [join(dir, "a.gguf"), join(dir, "b.gguf")];
    const checked = await convert({ input: ONE_BIT, output: a, workers: 0 });
    const unchecked = await convert({ input: ONE_BIT, output: b, workers: 0, verify: false });
    expect(checked.verified).toBe(14);
    expect(unchecked.verified).toBe(0);
    expect(unchecked.tensors.every((t) => t.verification === undefined)).toBe(true);
    expect(unchecked.tensors.filter((t) => t.stats)).toHaveLength(14);
    expect(hashOf(await readFile(b))).toBe(hashOf(await readFile(a)));
  });

  it("progress: one event per tensor, bytes growing to the file size", async () => {
    const output = join(await tmp(), "p.gguf");
    const events: ProgressEvent[] = [];
    await convert({ input: ONE_BIT, output, workers: 0, onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.tensorsDone)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(events.every((e, i) => e.tensorsTotal === 24 && (i === 0 || e.bytesDone > events[i - 1]!.bytesDone))).toBe(true);
    const size = (await stat(output)).size;
    expect(events.at(-1)!.bytesDone).toBe(size);
    expect(events.at(-1)!.bytesTotal).toBe(size);
  });
});
