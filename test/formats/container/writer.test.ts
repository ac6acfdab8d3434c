import { describe, expect, it } from "vitest";
import { createContainerWriter, memorySink } from "../../../formats/container/index.js";
import { caught, layoutTensor, OPTIONS } from "./helpers.js";

const a = layoutTensor("i2_s", 1);
const b = { ...layoutTensor("f16", 2) };

describe("container writer state machine", () => {
  it("checks declarations against the layout: unknown layout, duplicate names", () => {
    const w = createContainerWriter(memorySink(), OPTIONS);
    expect(w.declareTensor(a.decl)).toBe(a.bytes.length);
    expect(() => w.declareTensor(a.decl)).toThrow(/DUPLICATE_TENSOR/);
    expect(() => w.declareTensor({ name: "x", shape: [4, 4], layout: "q9_9" })).toThrow(/LAYOUT_UNKNOWN/);
  });

  it("names the tensor when its layout cannot hold the shape", async () => {
    const w = createContainerWriter(memorySink(), OPTIONS);
    const e = await caught(() => w.declareTensor({ name: "odd", shape: [3, 100], layout: "tq2_0" }));
    expect(e.code).toBe("LAYOUT_UNSUPPORTED_SHAPE");
    expect(e.tensor).toBe("odd");
  });

  it("refuses calls out of order, tensors out of order or of the wrong size, and closing early", async () => {
    const w = createContainerWriter(memorySink(), OPTIONS);
    w.declareTensor(a.decl);
    w.declareTensor(b.decl);
    expect((await caught(w.writeTensor(a.decl.name, a.bytes))).message).toContain("expected FILES or TENSORS, got DECLARE");
    await w.writeHeader();
    expect(w.state).toBe("FILES");
    expect(() => w.declareTensor(layoutTensor("f32").decl)).toThrow(/expected DECLARE, got FILES/);
    expect((await caught(w.writeTensor(b.decl.name, b.bytes))).message).toContain(`expected tensor '${a.decl.name}' (#0)`);
    expect((await caught(w.writeTensor(a.decl.name, a.bytes.subarray(1)))).code).toBe("TENSOR_INVALID_INFO");
    await w.writeTensor(a.decl.name, a.bytes);
    expect((await caught(w.writeFile("late.txt", "tokenizer", new Uint8Array(3)))).message).toContain("expected FILES, got TENSORS");
    expect((await caught(w.close())).message).toContain("expected all 2 tensors written, got 1");
    await w.writeTensor(b.decl.name, b.bytes);
    expect((await caught(w.writeTensor(b.decl.name, b.bytes))).message).toContain("already written");
    const manifest = await w.close();
    expect(manifest.tensors.map((t) => t.name)).toEqual([a.decl.name, b.decl.name]);
    expect(w.state).toBe("CLOSED");
    expect((await caught(w.close())).code).toBe("WRITER_STATE");
  });

  it("a failed sink write closes the writer", async () => {
    const failing = { position: 0, write: async () => Promise.reject(new Error("disk on fire")) };
    const w = createContainerWriter(failing, OPTIONS);
    w.declareTensor(a.decl);
    expect((await caught(w.writeHeader())).message).toBe("disk on fire");
    expect(w.state).toBe("CLOSED");
  });

  it("refuses a second side file of the same name", async () => {
    const w = createContainerWriter(memorySink(), OPTIONS);
    await w.writeHeader();
    await w.writeFile("tokenizer.json", "tokenizer", new Uint8Array(5));
    expect((await caught(w.writeFile("tokenizer.json", "tokenizer", new Uint8Array(5)))).code).toBe("DUPLICATE_KEY");
  });

  it("lists only the codebooks some tensor uses, with the codebook the bytes turned out to use", async () => {
    const grid = { id: "grid", layout: "cb158", storage: "builtin" as const };
    const learned = { id: "learned", layout: "cb158", storage: "tensor" as const };
    const cb = layoutTensor("cb158", 3);
    const w = createContainerWriter(memorySink(), { ...OPTIONS, codebooks: [grid, learned] });
    w.declareTensor({ ...cb.decl, codebook: "grid" });
    w.declareTensor(a.decl);
    await w.writeHeader();
    await w.writeTensor(cb.decl.name, cb.bytes, { codebook: "learned" });
    await w.writeTensor(a.decl.name, a.bytes);
    const m = await w.close();
    expect(m.codebooks).toEqual([learned]);
    expect(m.tensors.map((t) => t.codebook)).toEqual(["learned", undefined]);
  });

  it("refuses a tensor naming a codebook the options do not describe", async () => {
    const w = createContainerWriter(memorySink(), OPTIONS);
    w.declareTensor({ ...a.decl, codebook: "mystery" });
    await w.writeHeader();
    await w.writeTensor(a.decl.name, a.bytes);
    const e = await caught(w.close());
    expect(e.code).toBe("USAGE");
    expect(e.message).toContain("'mystery'");
  });
});
