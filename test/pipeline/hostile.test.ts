/**
 * Hostile inputs and failures: each ends with a clear TernpackError, and the output folder holds
 * no file afterwards — neither the output nor a temporary file.
 */
import { cp, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import type { ByteSink } from "../../src/core/atomic-file.js";
import { openFileSource } from "../../src/core/io.js";
import { openCheckpoint, writeSafetensors, type TensorToWrite } from "../../formats/safetensors/index.js";
import type { ConvertOptions } from "../../src/pipeline/options.js";
import { listDir, model, TINYSTORIES, useTempDir } from "./helpers.js";

const tmp = useTempDir();

/** A copy of TinyStories (or another fixture model) in a temp folder; the output goes next to it. */
async function workspace(from = TINYSTORIES) {
  const root = await tmp();
  const input = join(root, "model");
  await cp(from, input, { recursive: true });
  return { root, input, output: join(root, "out.gguf"), inputFiles: await listDir(input) };
}

async function editConfig(input: string, edit: (config: Record<string, unknown>) => void): Promise<void> {
  const path = join(input, "config.json");
  const config = JSON.parse(await readFile(path, "utf8"));
  edit(config);
  await writeFile(path, JSON.stringify(config));
}

/** Runs convert, expects a TernpackError matching `error`, and checks nothing new is left next to the output. */
async function expectFailure(ws: Awaited<ReturnType<typeof workspace>>, options: Partial<ConvertOptions>, error: Record<string, unknown>) {
  const before = await listDir(ws.root);
  const run = convert({ input: ws.input, output: ws.output, workers: 0, ...options });
  await expect(run).rejects.toMatchObject({ name: "TernpackError", ...error });
  expect(await listDir(ws.root)).toEqual(before);
  expect(await listDir(ws.input)).toEqual(ws.inputFiles);
}

describe("hostile inputs leave no output behind", () => {
  it("config.json without hidden_size → INVALID_CONFIG naming the field", async () => {
    const ws = await workspace();
    await editConfig(ws.input, (c) => delete c["hidden_size"]);
    await expectFailure(ws, {}, { code: "INVALID_CONFIG", message: expect.stringContaining("hidden_size") });
  });

  it("an unknown architecture → UNSUPPORTED_ARCH", async () => {
    const ws = await workspace();
    await editConfig(ws.input, (c) => (c["architectures"] = ["GPT2LMHeadModel"]));
    await expectFailure(ws, {}, { code: "UNSUPPORTED_ARCH", message: expect.stringContaining("GPT2LMHeadModel") });
  });

  it("config shapes that disagree with the tensors → SHAPE_MISMATCH naming the tensor", async () => {
    const ws = await workspace();
    await editConfig(ws.input, (c) => (c["intermediate_size"] = 512));
    await expectFailure(ws, {}, { code: "SHAPE_MISMATCH", tensor: expect.stringMatching(/^model\.layers\.0\.mlp\./) });
  });

  // Float output scans the values in map; a ternarized tensor relies on absmean's mean and scans only when it is not finite.
  it.each([
    ["stored as float", { method: "none" }],
    ["ternarized", {}],
  ] as const)("a NaN in a weight (%s) → NON_FINITE naming the tensor and the element", async (_label, options: Partial<ConvertOptions>) => {
    const ws = await workspace();
    const checkpoint = await openCheckpoint(TINYSTORIES);
    const target = "model.layers.1.mlp.up_proj.weight";
    const tensors: TensorToWrite[] = [];
    for (const t of checkpoint.tensors) {
      const data = (await checkpoint.readBytes(t.name)).slice();
      if (t.name === target) new DataView(data.buffer).setFloat32(4 * 1000, Number.NaN, true);
      tensors.push({ name: t.name, dtype: t.dtype, shape: t.shape, data });
    }
    const metadata = checkpoint.metadata;
    await checkpoint.close();
    await writeSafetensors(join(ws.input, "model.safetensors"), tensors, metadata);
    await expectFailure(ws, options, { code: "NON_FINITE", tensor: target, detail: expect.stringContaining("element 1000 (row 7, column 104") });
  });

  it("a shard truncated on disk → refused when the checkpoint is opened", async () => {
    const ws = await workspace(model("bitnet-tiny-sharded"));
    const shard = join(ws.input, "model-00002-of-00002.safetensors");
    await truncate(shard, (await stat(shard)).size - 64);
    await expectFailure(ws, { tokenizer: false }, { code: "INCOMPLETE_BUFFER", file: shard });
  });

  it("a shard truncated while converting (after its header was validated) → SHARD_MISSING, temp file removed", async () => {
    const ws = await workspace(model("bitnet-tiny-sharded"));
    let opens = 0;
    const openSource = async (path: string) => {
      opens += 1;
      if (opens === 3) await truncate(path, (await stat(path)).size - 64); // first data read: the header was read at opens 1–2
      return openFileSource(path);
    };
    await expectFailure(ws, { tokenizer: false, openSource }, { code: "SHARD_MISSING" });
    expect(opens).toBe(3);
  });

  it("a failing write (ENOSPC) → DISK_FULL", async () => {
    const ws = await workspace();
    let sinks = 0;
    const wrapSink = (sink: ByteSink): ByteSink => {
      sinks += 1;
      return {
        get position() {
          return sink.position;
        },
        async write(bytes) {
          if (sink.position + bytes.length > 200_000) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
          await sink.write(bytes);
        },
      };
    };
    await expectFailure(ws, { method: "none", wrapSink }, { code: "DISK_FULL" });
    expect(sinks).toBe(1);
  });

  it("a failing write in the last shard of a split output → no shard remains", async () => {
    const ws = await workspace();
    const paths: string[] = [];
    const wrapSink = (sink: ByteSink, path: string): ByteSink => {
      paths.push(path);
      return paths.length < 3 ? sink : { position: sink.position, write: async () => Promise.reject(Object.assign(new Error("EIO"), { code: "EIO" })) };
    };
    await expectFailure(ws, { method: "none", splitMaxBytes: 600_000, wrapSink }, { code: "IO_ERROR" });
    expect(paths.map((p) => p.slice(ws.root.length + 1))).toEqual(["out-00001-of-00003.gguf", "out-00002-of-00003.gguf", "out-00003-of-00003.gguf"]);
  });

  it("an abort mid-write → INTERRUPTED", async () => {
    const ws = await workspace();
    const controller = new AbortController();
    let seen = 0;
    const onProgress = () => {
      seen += 1;
      if (seen === 5) controller.abort();
    };
    await expectFailure(ws, { method: "none", signal: controller.signal, onProgress }, { code: "INTERRUPTED" });
    expect(seen).toBe(5);
  });

  it("an abort before the start → INTERRUPTED without opening the model", async () => {
    const ws = await workspace();
    let opened = 0;
    const openSource = (path: string) => ((opened += 1), openFileSource(path));
    await expectFailure(ws, { signal: AbortSignal.abort(), openSource }, { code: "INTERRUPTED" });
    expect(opened).toBe(0);
  });
});
