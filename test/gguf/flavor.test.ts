/** Type ids 36–42: the flavor option and the auto rule (architecture + size formulas). */
import { describe, expect, it } from "vitest";
import { isTernpackError } from "../../src/core/errors.js";
import { bufferSource } from "../../src/core/io.js";
import { createGgufWriter, GGML_TYPE, GGUF_VALUE_TYPE, readGguf, type ReadGgufOptions } from "../../formats/gguf/index.js";
import { kvString, memorySink, rawGguf, type RawTensor } from "./raw-gguf.js";

function file(arch: string, tensors: RawTensor[], dataBytes: number): Uint8Array {
  return rawGguf({ kvs: [kvString("general.architecture", arch)], tensors, dataBytes }).bytes;
}

/** I2_S [256, 4]: 1024/4 + 32 = 288 bytes, then an F32 norm. */
const i2s = (arch: string) =>
  file(arch, [
    { name: "blk.0.attn_q.weight", dims: [256, 4], type: 36, offset: 0 },
    { name: "blk.0.attn_norm.weight", dims: [256], type: 0, offset: 288 },
  ], 288 + 1024);

/** Two id-39 tensors [512, 1]: as MXFP4 each is 272 bytes (padded 288), as TL2 it is 160. */
const id39 = (second: number) =>
  file("llama", [
    { name: "a", dims: [512, 1], type: 39, offset: 0 },
    { name: "b", dims: [512, 1], type: 39, offset: second },
  ], second + 288);

async function codeOf(bytes: Uint8Array, options?: ReadGgufOptions): Promise<string> {
  return readGguf(bufferSource(bytes), options).then(
    () => "accepted",
    (e: unknown) => (isTernpackError(e) ? e.code : String(e)),
  );
}

describe("auto", () => {
  it.each(["bitnet-b1.58", "bitnet-25", "bitnet", "llama"])("reads I2_S in a '%s' file as bitnet.cpp", async (arch) => {
    const g = await readGguf(bufferSource(i2s(arch)));
    expect(g.flavor).toBe("bitnet.cpp");
    expect(g.tensors.map((t) => [t.typeName, t.nbytes, t.offset])).toStrictEqual([["I2_S", 288, 0], ["F32", 1024, 288]]);
  });

  it("does not read id 36 as I2_S for other architectures, and says how to", async () => {
    const err = await readGguf(bufferSource(i2s("ternpack-test"))).catch((e: unknown) => e);
    expect(isTernpackError(err, "INVALID_TYPE_ID")).toBe(true);
    expect((err as Error).message).toContain("in bitnet.cpp files it is I2_S");
  });

  it("lets the size formulas decide id 39 in a 'llama' file", async () => {
    const mx = await readGguf(bufferSource(id39(288)));
    expect([mx.flavor, mx.tensors[1]?.typeName, mx.tensors[1]?.nbytes]).toStrictEqual(["upstream", "MXFP4", 272]);
    const tl2 = await readGguf(bufferSource(id39(160)));
    expect([tl2.flavor, tl2.tensors[1]?.typeName, tl2.tensors[1]?.nbytes]).toStrictEqual(["bitnet.cpp", "TL2", 160]);
  });

  it("reports the bitnet.cpp error when neither reading fits a bitnet architecture", async () => {
    const err = await readGguf(bufferSource(id39(200))).catch((e: unknown) => e);
    expect(isTernpackError(err, "INVALID_TENSOR_OFFSET")).toBe(true);
    expect((err as { detail: string }).detail).toBe("tensor 'b' has offset 200, expected 160");
  });

  it("leaves files without ids >= 36 upstream", async () => {
    const g = await readGguf(bufferSource(file("bitnet", [{ name: "w", dims: [256], type: 35, offset: 0 }], 96)));
    expect(g.flavor).toBe("upstream");
  });
});

describe("explicit flavor", () => {
  it("upstream refuses I2_S even in a bitnet file; bitnet.cpp reads it in any file", async () => {
    expect(await codeOf(i2s("bitnet-b1.58"), { flavor: "upstream" })).toBe("INVALID_TYPE_ID");
    expect(await codeOf(i2s("ternpack-test"), { flavor: "bitnet.cpp" })).toBe("accepted");
  });

  it("bitnet.cpp refuses I8_S (runtime only) and ids the fork never defined", async () => {
    const with37 = file("bitnet", [{ name: "x", dims: [128], type: 37, offset: 0 }], 128);
    const with42 = file("bitnet", [{ name: "x", dims: [128], type: 42, offset: 0 }], 128);
    expect(await codeOf(with37, { flavor: "bitnet.cpp" })).toBe("INVALID_TYPE_ID");
    expect(await codeOf(with42, { flavor: "bitnet.cpp" })).toBe("INVALID_TYPE_ID");
  });
});

it("a writer-made I2_S + TL1 file reads back as bitnet.cpp with the fork's sizes", async () => {
  const sink = memorySink();
  const w = createGgufWriter(sink);
  w.addKv("general.architecture", GGUF_VALUE_TYPE.STRING, "bitnet-b1.58");
  const a = w.addTensorInfo("blk.0.attn_q.weight", GGML_TYPE.I2_S, [512, 8]);
  const b = w.addTensorInfo("blk.0.attn_k.weight", GGML_TYPE.TL1, [64, 32]);
  expect([a.nbytes, b.offset, b.nbytes]).toStrictEqual([1056, 1056, 544]);
  await w.writeHeader();
  await w.writeTensorData(a.name, new Uint8Array(a.nbytes).fill(0x55));
  await w.writeTensorData(b.name, new Uint8Array(b.nbytes).fill(0x44));
  await w.close();
  const g = await readGguf(bufferSource(sink.bytes()));
  expect(g.flavor).toBe("bitnet.cpp");
  expect(g.tensors.map((t) => [t.typeName, t.offset, t.nbytes])).toStrictEqual([["I2_S", 0, 1056], ["TL1", 1056, 544]]);
  expect(g.fileSize).toBe(g.dataOffset + 1056 + 544);
});
