/** The writer's state machine and its validation, each misuse next to the correct use. */
import { describe, expect, it } from "vitest";
import { isTernpackError, TernpackError, type ErrorCode } from "../../src/core/errors.js";
import { bufferSource } from "../../src/core/io.js";
import { createGgufWriter, GGML_TYPE, GGUF_VALUE_TYPE as T, readGguf, type GgufWriter } from "../../formats/gguf/index.js";
import { memorySink } from "./raw-gguf.js";

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    return isTernpackError(e) ? e.code : `not a TernpackError: ${String(e)}`;
  }
}

async function rejects(p: Promise<unknown>, code: ErrorCode): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(isTernpackError(e, code), String(e)).toBe(true);
  return (e as Error).message;
}

/** A writer with one KV and two tensors (F32 [8] = 32 B, TQ2_0 [256] = 66 B). */
function planned(): { w: GgufWriter; sink: ReturnType<typeof memorySink> } {
  const sink = memorySink();
  const w = createGgufWriter(sink);
  w.addKv("general.architecture", T.STRING, "test");
  w.addTensorInfo("a", GGML_TYPE.F32, [8]);
  w.addTensorInfo("b", GGML_TYPE.TQ2_0, [256]);
  return { w, sink };
}

describe("state machine", () => {
  it("walks EMPTY → KV → TENSOR_INFO → HEADER → DATA → CLOSED and writes a readable file", async () => {
    const sink = memorySink();
    const w = createGgufWriter(sink);
    const states = [w.state];
    w.addKv("general.architecture", T.STRING, "test");
    states.push(w.state);
    w.addTensorInfo("a", GGML_TYPE.F32, [8]);
    states.push(w.state);
    const plan = w.plan();
    expect(w.state).toBe("TENSOR_INFO");
    const layout = await w.writeHeader();
    expect(layout).toStrictEqual(plan);
    states.push(w.state);
    expect(sink.position).toBe(layout.dataOffset);
    await w.writeTensorData("a", new Uint8Array(32).fill(1));
    states.push(w.state);
    await w.close();
    states.push(w.state);
    expect(states).toStrictEqual(["EMPTY", "KV", "TENSOR_INFO", "HEADER", "DATA", "CLOSED"]);
    expect(sink.position).toBe(layout.fileSize);
    const g = await readGguf(bufferSource(sink.bytes()));
    expect(g.tensors[0]?.nbytes).toBe(32);
  });

  it("refuses KVs after tensor infos and infos after the header", async () => {
    const { w } = planned();
    expect(codeOf(() => w.addKv("late", T.UINT8, 1))).toBe("WRITER_STATE");
    await w.writeHeader();
    expect(codeOf(() => w.addTensorInfo("c", 0, [1]))).toBe("WRITER_STATE");
    await rejects(w.writeHeader(), "WRITER_STATE");
  });

  it("refuses data before the header and says which state was expected", async () => {
    const { w } = planned();
    const message = await rejects(w.writeTensorData("a", new Uint8Array(32)), "WRITER_STATE");
    expect(message).toContain("expected HEADER or DATA, got TENSOR_INFO");
  });

  it("refuses data out of tensor-info order, of the wrong length, or beyond the last tensor", async () => {
    const { w } = planned();
    await w.writeHeader();
    expect(await rejects(w.writeTensorData("b", new Uint8Array(66)), "WRITER_STATE")).toContain("expected tensor 'a' (#0), got 'b'");
    await rejects(w.writeTensorData("a", new Uint8Array(31)), "TENSOR_INVALID_INFO");
    await w.writeTensorData("a", new Uint8Array(32));
    await w.writeTensorData("b", new Uint8Array(66));
    await rejects(w.writeTensorData("b", new Uint8Array(66)), "WRITER_STATE");
  });

  it("refuses close before every tensor is written, and everything after close", async () => {
    const { w } = planned();
    await rejects(w.close(), "WRITER_STATE");
    await w.writeHeader();
    await w.writeTensorData("a", new Uint8Array(32));
    expect(await rejects(w.close(), "WRITER_STATE")).toContain("expected all 2 tensors written, got 1");
    await w.writeTensorData("b", new Uint8Array(66));
    await w.close();
    await rejects(w.close(), "WRITER_STATE");
    await rejects(w.writeTensorData("a", new Uint8Array(32)), "WRITER_STATE");
  });

  it("refuses a second write while one is in progress", async () => {
    const { w } = planned();
    await w.writeHeader();
    const first = w.writeTensorData("a", new Uint8Array(32));
    await rejects(w.writeTensorData("b", new Uint8Array(66)), "WRITER_STATE");
    await first;
    await w.writeTensorData("b", new Uint8Array(66));
    await w.close();
    expect(w.state).toBe("CLOSED");
  });

  it("moves to CLOSED when the sink fails", async () => {
    const w = createGgufWriter({
      position: 0,
      write: async () => {
        throw new TernpackError("DISK_FULL", { detail: "test" });
      },
    });
    w.addTensorInfo("a", GGML_TYPE.F32, [8]);
    await rejects(w.writeHeader(), "DISK_FULL");
    expect(w.state).toBe("CLOSED");
    await rejects(w.writeTensorData("a", new Uint8Array(32)), "WRITER_STATE");
  });

  it("pads after every tensor, the last one included", async () => {
    const { w, sink } = planned();
    const layout = await w.writeHeader();
    await w.writeTensorData("a", new Uint8Array(32).fill(7));
    await w.writeTensorData("b", new Uint8Array(66).fill(9));
    await w.close();
    expect(layout.tensors.map((t) => t.offset)).toStrictEqual([0, 32]);
    expect(layout.fileSize).toBe(layout.dataOffset + 32 + 96);
    const tail = sink.bytes().subarray(layout.dataOffset + 32 + 66);
    expect(Array.from(tail)).toStrictEqual(new Array(30).fill(0));
  });
});

describe("KV validation", () => {
  const fresh = () => createGgufWriter(memorySink());
  it("accepts each value type in range and refuses values outside it", () => {
    const w = fresh();
    expect(codeOf(() => w.addKv("u8", T.UINT8, 255))).toBe("ok");
    expect(codeOf(() => w.addKv("u8b", T.UINT8, 256))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("i16", T.INT16, -32769))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("u32", T.UINT32, 1.5))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("u64", T.UINT64, -1n))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("u64b", T.UINT64, 2 ** 60))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("u64c", T.UINT64, 2n ** 64n - 1n))).toBe("ok");
    expect(codeOf(() => w.addKv("bool", T.BOOL, 1 as unknown as boolean))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("surrogate", T.STRING, "a\uD800b"))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("type", 13 as typeof T.UINT8, 0))).toBe("INVALID_VALUE_TYPE");
  });
  it("refuses duplicate keys", () => {
    const w = fresh();
    w.addKv("k", T.UINT8, 1);
    expect(codeOf(() => w.addKv("k", T.UINT8, 2))).toBe("DUPLICATE_KEY");
  });
  it("refuses empty strings and empty arrays but writes an empty string inside a string array", () => {
    const w = fresh();
    expect(codeOf(() => w.addKv("s", T.STRING, ""))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("a", T.ARRAY, { elementType: T.INT32, values: [] }))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("b", T.ARRAY, { elementType: T.STRING, values: ["x", ""] }))).toBe("ok");
  });
  it("refuses nested arrays and bad elements", () => {
    const w = fresh();
    const nested = { elementType: T.ARRAY, values: [1] } as never;
    expect(codeOf(() => w.addKv("n", T.ARRAY, nested))).toBe("INVALID_VALUE_TYPE");
    expect(codeOf(() => w.addKv("e", T.ARRAY, { elementType: T.INT8, values: [1, 200] }))).toBe("INVALID_VALUE");
    expect(codeOf(() => w.addKv("f", T.ARRAY, { elementType: T.INT8, values: [1, -2] }))).toBe("ok");
  });
  it("requires general.architecture to come first and be a string", () => {
    const late = fresh();
    late.addKv("general.name", T.STRING, "x");
    expect(codeOf(() => late.addKv("general.architecture", T.STRING, "llama"))).toBe("INVALID_VALUE");
    expect(codeOf(() => fresh().addKv("general.architecture", T.UINT32, 1))).toBe("INVALID_VALUE");
    expect(codeOf(() => fresh().addKv("general.architecture", T.STRING, "llama"))).toBe("ok");
  });
  it("requires general.alignment to be a UINT32 power of two matching the option", () => {
    expect(codeOf(() => fresh().addKv("general.alignment", T.UINT64, 64n))).toBe("INVALID_ALIGNMENT");
    expect(codeOf(() => fresh().addKv("general.alignment", T.UINT32, 48))).toBe("INVALID_ALIGNMENT");
    const with64 = createGgufWriter(memorySink(), { alignment: 64 });
    expect(codeOf(() => with64.addKv("general.alignment", T.UINT32, 32))).toBe("INVALID_ALIGNMENT");
    expect(codeOf(() => with64.addKv("general.alignment", T.UINT32, 64))).toBe("ok");
    expect(codeOf(() => createGgufWriter(memorySink(), { alignment: 24 }))).toBe("INVALID_ALIGNMENT");
  });
});

describe("tensor-info validation", () => {
  const withKv = () => createGgufWriter(memorySink());
  it("refuses a 64-byte name (63 is fine) and duplicate names", () => {
    const w = withKv();
    expect(codeOf(() => w.addTensorInfo("n".repeat(64), 0, [1]))).toBe("NAME_TOO_LONG");
    expect(codeOf(() => w.addTensorInfo("ü".repeat(32), 0, [1]))).toBe("NAME_TOO_LONG");
    expect(codeOf(() => w.addTensorInfo("n".repeat(63), 0, [1]))).toBe("ok");
    expect(codeOf(() => w.addTensorInfo("n".repeat(63), 0, [1]))).toBe("DUPLICATE_TENSOR");
  });
  it("refuses bad types, dims, block mismatches and a wrong declared size", () => {
    const w = withKv();
    expect(codeOf(() => w.addTensorInfo("t1", 4, [32]))).toBe("INVALID_TYPE_ID");
    expect(codeOf(() => w.addTensorInfo("t2", 0, [1, 1, 1, 1, 1]))).toBe("INVALID_DIMS");
    expect(codeOf(() => w.addTensorInfo("t3", GGML_TYPE.TQ1_0, [128]))).toBe("BLOCK_MISMATCH");
    expect(codeOf(() => w.addTensorInfo("t4", GGML_TYPE.TQ1_0, [256], 66))).toBe("TENSOR_INVALID_INFO");
    expect(codeOf(() => w.addTensorInfo("t5", GGML_TYPE.TQ1_0, [256], 54))).toBe("ok");
  });
  it("sizes id 39 as MXFP4 with flavor upstream and as TL2 by default", () => {
    expect(createGgufWriter(memorySink(), { flavor: "upstream" }).addTensorInfo("m", 39, [512]).nbytes).toBe(272);
    expect(createGgufWriter(memorySink()).addTensorInfo("m", 39, [512]).nbytes).toBe(160);
  });
});
