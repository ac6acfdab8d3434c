/** The reader parses headers through bounded windows and never reads the whole file. */
import { expect, it } from "vitest";
import { bufferSource } from "../../src/core/io.js";
import { createGgufWriter, GGML_TYPE, GGUF_VALUE_TYPE as T, readGguf, readTensorData } from "../../formats/gguf/index.js";
import { countingSource, memorySink } from "./raw-gguf.js";

const MiB = 1 << 20;

it("reads only a window of a file with a large data section", async () => {
  const sink = memorySink();
  const w = createGgufWriter(sink);
  w.addKv("general.architecture", T.STRING, "test");
  const big = w.addTensorInfo("big", GGML_TYPE.F32, [2 * MiB]); // 8 MiB
  await w.writeHeader();
  const data = new Uint8Array(big.nbytes);
  data[data.length - 1] = 0xab;
  await w.writeTensorData("big", data);
  await w.close();
  const src = countingSource(sink.bytes());
  const g = await readGguf(src);
  expect(src.largestRead).toBeLessThanOrEqual(MiB);
  const back = await readTensorData(src, g.tensors[0]!);
  expect(back.length).toBe(8 * MiB);
  expect(back[back.length - 1]).toBe(0xab);
});

it("parses a multi-megabyte tokenizer header across many windows", async () => {
  const n = 300_000;
  const tokens = Array.from({ length: n }, (_, i) => `tok_${i}_ü`);
  const scores = Float32Array.from({ length: n }, (_, i) => -i / 7);
  const types = Int32Array.from({ length: n }, (_, i) => i % 7);
  const sink = memorySink();
  const w = createGgufWriter(sink);
  w.addKv("general.architecture", T.STRING, "test");
  w.addKv("tokenizer.ggml.tokens", T.ARRAY, { elementType: T.STRING, values: tokens });
  w.addKv("tokenizer.ggml.scores", T.ARRAY, { elementType: T.FLOAT32, values: scores });
  w.addKv("tokenizer.ggml.token_type", T.ARRAY, { elementType: T.INT32, values: types });
  const layout = await w.writeHeader();
  await w.close();
  expect(layout.dataOffset).toBeGreaterThan(6 * MiB);
  const src = countingSource(sink.bytes());
  const g = await readGguf(src);
  // Strings stream through 1 MiB windows; a numeric array larger than a window is read in one piece.
  expect(src.largestRead).toBe(Math.max(MiB, scores.byteLength));
  const get = (k: string) => g.kv.get(k)?.value as { values: unknown };
  expect(get("tokenizer.ggml.tokens").values).toStrictEqual(tokens);
  expect(get("tokenizer.ggml.scores").values).toStrictEqual(scores);
  expect(get("tokenizer.ggml.token_type").values).toStrictEqual(types);
  expect(await readGguf(bufferSource(sink.bytes()), { windowBytes: 4096 })).toStrictEqual(g);
});
