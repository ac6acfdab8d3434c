/**
 * The real worker pool, through the built package (dist/index.js finds dist/pipeline-worker.js next
 * to itself; `npm ci` builds dist through `prepare`): the bytes are the same for 0, 1 and 2 worker
 * threads, errors raised in a worker arrive as TernpackErrors, and an abort stops the threads and
 * leaves nothing behind.
 */
import { cp, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { openCheckpoint, writeSafetensors, type TensorToWrite } from "../../formats/safetensors/index.js";
import { openFileSource } from "../../src/core/io.js";
import { fixturePath } from "../helpers/fixtures.js";
import { hashOf, listDir, model, useTempDir } from "./helpers.js";

const tmp = useTempDir();
// A variable specifier, so that the type checker does not need the build output.
const DIST = "../../dist/index.js";

async function distConvert(): Promise<(options: Record<string, unknown>) => Promise<any>> {
  const mod = await import(DIST);
  expect(typeof mod.convert, "dist/index.js must export convert (src/index.ts re-exports src/api/convert.ts; run npm run build)").toBe("function");
  return mod.convert;
}

describe("worker threads (built package)", () => {
  for (const c of [
    { model: "bitnet-synth-1bitllm", target: "llama.cpp" },
    { model: "bitnet-synth-2b4t-packed", target: "bitnet.cpp" },
  ]) {
    it(`${c.model} for ${c.target}: identical bytes with 0, 1 and 2 workers`, async () => {
      const convert = await distConvert();
      const dir = await tmp();
      const hashes: string[] = [];
      for (const workers of [0, 1, 2]) {
        const output = join(dir, `w${workers}.gguf`);
        const result = await convert({ input: model(c.model), output, target: c.target, workers });
        expect(result.workers).toBe(workers);
        expect(result.verified).toBe(14);
        expect(result.warnings.filter((w: string) => w.includes("pipeline-worker"))).toEqual([]);
        hashes.push(hashOf(await readFile(output)));
      }
      expect(new Set(hashes).size).toBe(1);
    });
  }

  it("CB158 (calibrated, learned-or-grid codebooks) into a container: identical bytes with 0 and 2 workers", async () => {
    const convert = await distConvert();
    const dir = await tmp();
    const hashes: string[] = [];
    // the container records its creation time; a fixed one (reproducible-build convention) keeps the bytes comparable
    const epoch = process.env["SOURCE_DATE_EPOCH"];
    process.env["SOURCE_DATE_EPOCH"] = "1764547200";
    onTestFinished(() => void (epoch === undefined ? delete process.env["SOURCE_DATE_EPOCH"] : (process.env["SOURCE_DATE_EPOCH"] = epoch)));
    for (const workers of [0, 2]) {
      const output = join(dir, `cb158-w${workers}.tpk`);
      const result = await convert({ input: fixturePath("tinystories-656k"), output, method: "cb158", calib: fixturePath("calibration", "tinystories-calib.txt"), format: "tpk", workers });
      expect(result.workers).toBe(workers);
      expect(result.tensors.filter((t: { cb158?: unknown }) => t.cb158 !== undefined)).toHaveLength(14);
      hashes.push(hashOf(await readFile(output)));
    }
    expect(new Set(hashes).size).toBe(1);
  }, 120_000);

  it("reads on the main thread (a custom openSource) give the bytes of workers reading for themselves", async () => {
    const convert = await distConvert();
    const dir = await tmp();
    const hashes: string[] = [];
    let opens = 0;
    const openSource = (path: string) => ((opens += 1), openFileSource(path));
    for (const options of [{ workers: 2 }, { workers: 2, openSource }, { workers: 0 }]) {
      const output = join(dir, `out-${hashes.length}.gguf`);
      await convert({ input: model("bitnet-synth-2b4t-bf16"), output, target: "bitnet.cpp", ...options });
      hashes.push(hashOf(await readFile(output)));
    }
    expect(opens).toBeGreaterThan(0);
    expect(new Set(hashes).size).toBe(1);
  });

  it("a NaN found in a worker arrives as TernpackError NON_FINITE naming the tensor", async () => {
    const convert = await distConvert();
    const dir = await tmp();
    const input = join(dir, "nan-model");
    await cp(model("bitnet-synth-1bitllm"), input, { recursive: true });
    const checkpoint = await openCheckpoint(input);
    const target = "model.layers.0.self_attn.v_proj.weight";
    const tensors: TensorToWrite[] = [];
    for (const t of checkpoint.tensors) {
      const data = (await checkpoint.readBytes(t.name)).slice();
      if (t.name === target) new DataView(data.buffer).setUint16(2 * 300, 0x7e00, true); // f16 NaN at element 300
      tensors.push({ name: t.name, dtype: t.dtype, shape: t.shape, data });
    }
    await checkpoint.close();
    await writeSafetensors(join(input, "model.safetensors"), tensors, { format: "pt" });
    const output = join(dir, "out.gguf");
    await expect(convert({ input, output, workers: 2 })).rejects.toMatchObject({ name: "TernpackError", code: "NON_FINITE", tensor: target });
    expect(await listDir(dir)).toEqual(["nan-model"]);
  });

  it("an abort while workers run → INTERRUPTED, nothing left behind", async () => {
    const convert = await distConvert();
    const dir = await tmp();
    const controller = new AbortController();
    const onProgress = (e: { tensorsDone: number }) => e.tensorsDone === 3 && controller.abort();
    await expect(convert({ input: model("bitnet-synth-1bitllm"), output: join(dir, "out.gguf"), workers: 2, signal: controller.signal, onProgress })).rejects.toMatchObject({
      code: "INTERRUPTED",
    });
    expect(await listDir(dir)).toEqual([]);
  });

  it("workers read their tensors themselves: a shard whose size changed since planning → SHARD_MISSING naming it", async () => {
    const mod = await import(DIST);
    const input = model("bitnet-tiny-sharded");
    const plan = await mod.planConversion({ input, tokenizer: false });
    const tensor = plan.tensors.find((t: { ternarize: boolean }) => t.ternarize);
    const checkpoint = await openCheckpoint(input);
    const info = checkpoint.get(tensor.source)!;
    await checkpoint.close();
    const processor = mod.createProcessor(1);
    onTestFinished(() => processor.close());
    const range = { file: info.file, offset: info.byteOffset, length: info.byteLength };
    const done = await processor.process({ tensor, ranges: { data: { ...range, fileSize: info.fileSize } } });
    expect(done.bytes.length).toBe(tensor.nbytes);
    await expect(processor.process({ tensor, ranges: { data: { ...range, fileSize: info.fileSize + 1 } } })).rejects.toMatchObject({
      name: "TernpackError",
      code: "SHARD_MISSING",
      file: info.file,
      detail: `shard is now ${info.fileSize} bytes, was ${info.fileSize + 1} when opened`,
    });
  });
});
