/** Writing the golden files' parsed content again reproduces them byte for byte. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bufferSource } from "../../src/core/io.js";
import { createGgufWriter, GGUF_VALUE_TYPE as T, readGguf, readTensorData, writeGgufFile } from "../../formats/gguf/index.js";
import { readFixture } from "../helpers/fixtures.js";
import { memorySink } from "./raw-gguf.js";

const dir = await mkdtemp(join(tmpdir(), "ternpack-gguf-rt-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(["all_kv_types", "aligned64"])("%s.gguf", (name) => {
  const golden = readFixture("gguf", `${name}.gguf`);
  const source = bufferSource(golden, name);

  it("is reproduced by the writer state machine from parsed KVs and tensor bytes", async () => {
    const g = await readGguf(source);
    const sink = memorySink();
    const w = createGgufWriter(sink);
    for (const [key, kv] of g.kv) w.addKv(key, kv.type, kv.value);
    for (const t of g.tensors) {
      const planned = w.addTensorInfo(t.name, t.type, t.dims, t.nbytes);
      expect(planned.offset).toBe(t.offset);
    }
    const layout = await w.writeHeader();
    expect([layout.dataOffset, layout.fileSize, layout.alignment]).toStrictEqual([g.dataOffset, g.fileSize, g.alignment]);
    for (const t of g.tensors) await w.writeTensorData(t.name, await readTensorData(source, t));
    await w.close();
    expect(w.state).toBe("CLOSED");
    const out = sink.bytes();
    expect(out.length).toBe(golden.length);
    expect(Buffer.from(out).equals(Buffer.from(golden))).toBe(true);
  });

  it("is reproduced by writeGgufFile with lazily supplied tensor data", async () => {
    const g = await readGguf(source);
    const path = join(dir, `${name}.gguf`);
    const layout = await writeGgufFile(path, {
      kv: g.kv,
      tensors: g.tensors.map((t) => ({ name: t.name, type: t.type, dims: t.dims, data: () => readTensorData(source, t) })),
    });
    expect(layout.fileSize).toBe(golden.length);
    expect(Buffer.from(await readFile(path)).equals(Buffer.from(golden))).toBe(true);
  });
});

it("the alignment option inserts general.alignment where gguf-py's add_custom_alignment puts it", async () => {
  const golden = readFixture("gguf", "aligned64.gguf");
  const source = bufferSource(golden);
  const g = await readGguf(source);
  const sink = memorySink();
  const w = createGgufWriter(sink, { alignment: 64 });
  for (const [key, kv] of g.kv) if (key !== "general.alignment") w.addKv(key, kv.type, kv.value);
  for (const t of g.tensors) w.addTensorInfo(t.name, t.type, t.dims);
  await w.writeHeader();
  for (const t of g.tensors) await w.writeTensorData(t.name, await readTensorData(source, t));
  await w.close();
  expect(Buffer.from(sink.bytes()).equals(Buffer.from(golden))).toBe(true);
});

it("keeps float array bit patterns exact, NaN payloads included", async () => {
  const f32Bits = Uint32Array.of(0x7f800001, 0xffc00123, 0x00000001, 0x80000000, 0x7f7fffff);
  const f64Bits = BigUint64Array.of(0x7ff0000000000001n, 0xfff8000000000abcn, 0x8000000000000000n);
  const sink = memorySink();
  const w = createGgufWriter(sink);
  w.addKv("f32", T.ARRAY, { elementType: T.FLOAT32, values: new Float32Array(f32Bits.buffer) });
  w.addKv("f64", T.ARRAY, { elementType: T.FLOAT64, values: new Float64Array(f64Bits.buffer) });
  await w.writeHeader();
  await w.close();
  const g = await readGguf(bufferSource(sink.bytes()));
  const values = (k: string) => (g.kv.get(k)?.value as { values: Float32Array | Float64Array }).values;
  expect(new Uint32Array(values("f32").buffer)).toStrictEqual(f32Bits);
  expect(new BigUint64Array(values("f64").buffer)).toStrictEqual(f64Bits);
});
