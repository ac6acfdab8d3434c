/**
 * Malformed files built byte by byte, each rejected with one exact code, next to the well-formed
 * control they were derived from.
 */
import { describe, expect, it } from "vitest";
import { isTernpackError, type ErrorCode } from "../../src/core/errors.js";
import { bufferSource } from "../../src/core/io.js";
import { readGguf, type ReadGgufOptions } from "../../formats/gguf/index.js";
import { controlSpec, countingSource, kvString, kvU32, rawGguf, type RawSpec } from "./raw-gguf.js";

async function rejects(bytes: Uint8Array, code: ErrorCode, options?: ReadGgufOptions) {
  const err = await readGguf(bufferSource(bytes, "bad.gguf"), options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTernpackError(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
  return err as Error & { offset?: number; detail?: string };
}

function variant(edit: (s: RawSpec) => void): Uint8Array {
  const s = controlSpec();
  edit(s);
  return rawGguf(s).bytes;
}

describe("the well-formed control", () => {
  it("is accepted with the expected layout", async () => {
    const { bytes, marks } = rawGguf(controlSpec());
    const g = await readGguf(bufferSource(bytes));
    expect(g.dataOffset).toBe(marks.get("data"));
    expect(g.tensors.map((t) => [t.name, t.typeName, t.offset, t.nbytes])).toStrictEqual([
      ["a", "F32", 0, 64],
      ["b", "TQ1_0", 64, 54],
      ["c", "F16", 128, 32],
    ]);
    expect(g.fileSize).toBe(bytes.length);
  });
});

describe("header", () => {
  it("bad magic", async () => {
    const e = await rejects(variant((s) => (s.magic = [0x47, 0x47, 0x4d, 0x4c])), "BAD_MAGIC");
    expect(e.offset).toBe(0);
  });
  it("version 2 is refused by default and read with allowVersion2", async () => {
    const v2 = variant((s) => (s.version = 2));
    await rejects(v2, "UNSUPPORTED_VERSION");
    expect((await readGguf(bufferSource(v2), { allowVersion2: true })).version).toBe(2);
  });
  it.each([1, 4, 0x03000000])("version %i", async (version) => {
    const e = await rejects(variant((s) => (s.version = version)), "UNSUPPORTED_VERSION");
    if (version === 0x03000000) expect(e.detail).toContain("big-endian");
  });
  it("a tensor count beyond the safety limit", async () => {
    await rejects(variant((s) => (s.tensorCount = 2n ** 40n)), "LIMIT_EXCEEDED");
    await rejects(variant((s) => (s.tensorCount = 2n ** 63n)), "LIMIT_EXCEEDED");
  });
  it("counts that cannot fit in the file fail before any KV is read", async () => {
    const e = await rejects(variant((s) => (s.kvCount = 1000)), "TRUNCATED");
    expect(e.offset).toBe(8);
    expect(e.detail).toContain("1000 KVs");
  });
});

describe("truncation", () => {
  // A long first value puts every later field past the minimum size the counts imply.
  const spec = controlSpec();
  spec.kvs[0] = kvString("general.architecture", "x".repeat(150));
  const { bytes, marks } = rawGguf(spec);
  const at = (m: string) => marks.get(m) as number;
  it.each([
    ["inside the magic", 2, 0],
    ["inside the version", 6, 4],
    ["inside the counts", 12, 8],
    ["inside a key length", at("kv1") + 3, at("kv1")],
    ["inside a key", at("kv1") + 10, at("kv1") + 8],
    ["inside a value", at("kv1") + 8 + 12 + 4 + 8 + 2, at("kv1") + 8 + 12 + 4 + 8],
    ["inside a tensor name", at("tensor1") + 8, at("tensor1") + 8],
    ["inside tensor dims", at("tensor2") + 8 + 1 + 4 + 3, at("tensor2") + 8 + 1 + 4],
  ])("%s", async (_label, length, offset) => {
    const e = await rejects(bytes.subarray(0, length), "TRUNCATED");
    expect(e.offset).toBe(offset);
  });
  it("inside the data section: the last tensor is out of bounds", async () => {
    const e = await rejects(bytes.subarray(0, bytes.length - 1), "OUT_OF_BOUNDS");
    expect(e.message).toContain("tensor 'c'");
  });
  it("inside the padding after the last tensor is still accepted (llama.cpp checks tensor bounds only)", async () => {
    const s = controlSpec();
    s.tensors[2]!.dims = [8]; // 16 bytes, padded to 32
    const b = rawGguf(s).bytes;
    expect((await readGguf(bufferSource(b.subarray(0, b.length - 16)))).tensors[2]?.nbytes).toBe(16);
    await rejects(b.subarray(0, b.length - 17), "OUT_OF_BOUNDS");
  });
});

describe("KVs", () => {
  it("duplicate key", async () => {
    await rejects(variant((s) => s.kvs.push(kvString("general.name", "again"))), "DUPLICATE_KEY");
  });
  it("unknown value type", async () => {
    await rejects(variant((s) => s.kvs.push({ key: "x", value: (r) => r.u32(13).u32(0) })), "INVALID_VALUE_TYPE");
  });
  it("nested array", async () => {
    const nested = { key: "x", value: (r: any) => r.u32(9).u32(9).u64(1).u32(5).u64(1).i32(1) };
    const flat = { key: "x", value: (r: any) => r.u32(9).u32(5).u64(1).i32(1) };
    await rejects(variant((s) => s.kvs.push(nested)), "INVALID_VALUE_TYPE");
    expect((await readGguf(bufferSource(variant((s) => s.kvs.push(flat))))).kv.get("x")?.type).toBe(9);
  });
  it("invalid UTF-8 in a string", async () => {
    await rejects(variant((s) => s.kvs.push({ key: "x", value: (r) => r.u32(8).str(Uint8Array.of(0x61, 0xff)) })), "INVALID_UTF8");
  });
  it.each([48, 0, 3])("alignment %i is not a power of two", async (a) => {
    await rejects(variant((s) => s.kvs.push(kvU32("general.alignment", a))), "INVALID_ALIGNMENT");
  });
  it("alignment of the wrong type (UINT64, INT32)", async () => {
    await rejects(variant((s) => s.kvs.push({ key: "general.alignment", value: (r) => r.u32(10).u64(32) })), "INVALID_ALIGNMENT");
    await rejects(variant((s) => s.kvs.push({ key: "general.alignment", value: (r) => r.u32(5).i32(32) })), "INVALID_ALIGNMENT");
  });
  it("a UINT32 power-of-two alignment is accepted and moves the data section", async () => {
    const s = controlSpec();
    s.kvs.push(kvU32("general.alignment", 64));
    s.alignment = 64;
    s.tensors[2]!.offset = 128;
    s.dataBytes = 192;
    const g = await readGguf(bufferSource(rawGguf(s).bytes));
    expect([g.alignment, g.dataOffset % 64]).toStrictEqual([64, 0]);
  });
});

describe("huge declared lengths fail fast without reading them", () => {
  it.each([
    ["string length above the limit", (r: any) => r.u32(8).u64(2n ** 62n), "LIMIT_EXCEEDED", "above 2^53"],
    ["string longer than the file", (r: any) => r.u32(8).u64(1_000_000), "TRUNCATED", "needs 1000000 bytes"],
    ["array length above the limit", (r: any) => r.u32(9).u32(6).u64(2n ** 40n), "LIMIT_EXCEEDED", "limit"],
    ["array longer than the file", (r: any) => r.u32(9).u32(8).u64(10_000_000), "TRUNCATED", "declares 10000000 STRING"],
    ["numeric array longer than the file", (r: any) => r.u32(9).u32(12).u64(1_000_000), "TRUNCATED", "declares 1000000 FLOAT64"],
  ] as const)("%s", async (_label, value, code, detail) => {
    const bytes = variant((s) => s.kvs.splice(1, 0, { key: "huge", value }));
    const src = countingSource(bytes);
    const err = await readGguf(src, { windowBytes: 64 }).catch((e: unknown) => e);
    expect(isTernpackError(err, code), String(err)).toBe(true);
    expect(src.largestRead).toBeLessThanOrEqual(64);
    expect((err as { detail: string }).detail).toContain(detail);
  });
});

describe("tensor infos", () => {
  it("duplicate tensor name", async () => {
    await rejects(variant((s) => (s.tensors[2]!.name = "a")), "DUPLICATE_TENSOR");
  });
  it.each([99, 4, 31, 36])("type id %i (unknown or removed)", async (type) => {
    await rejects(variant((s) => (s.tensors[0]!.type = type)), "INVALID_TYPE_ID");
  });
  it.each([0, 5])("n_dims %i", async (n) => {
    await rejects(variant((s) => (s.tensors[0]!.nDims = n)), "INVALID_DIMS");
  });
  it("a dimension above 2^53", async () => {
    await rejects(variant((s) => (s.tensors[0]!.dims = [2n ** 60n])), "INVALID_DIMS");
  });
  it("ne0 not a multiple of the block size", async () => {
    const e = await rejects(variant((s) => (s.tensors[1]!.dims = [255])), "BLOCK_MISMATCH");
    expect(e.message).toContain("tensor 'b'");
  });
  it("a 64-byte name is too long; 63 bytes is accepted", async () => {
    await rejects(variant((s) => (s.tensors[0]!.name = "n".repeat(64))), "NAME_TOO_LONG");
    const ok = await readGguf(bufferSource(variant((s) => (s.tensors[0]!.name = "n".repeat(63)))));
    expect(ok.tensors[0]?.name.length).toBe(63);
  });
  it("an offset gap (96 instead of 64) breaks the exact-offset rule", async () => {
    const gapped = variant((s) => {
      s.tensors[1]!.offset = 96;
      s.tensors[2]!.offset = 160;
      s.dataBytes = 192;
    });
    const e = await rejects(gapped, "INVALID_TENSOR_OFFSET");
    expect(e.detail).toBe("tensor 'b' has offset 96, expected 64");
    const lenient = await readGguf(bufferSource(gapped), { allowOffsetGaps: true });
    expect(lenient.tensors.map((t) => t.offset)).toStrictEqual([0, 96, 160]);
  });
  it("overlapping tensors are refused even in lenient mode", async () => {
    const overlap = variant((s) => (s.tensors[1]!.offset = 32));
    await rejects(overlap, "INVALID_TENSOR_OFFSET");
    await rejects(overlap, "INVALID_TENSOR_OFFSET", { allowOffsetGaps: true });
  });
  it("a tensor beyond the end of the file", async () => {
    await rejects(variant((s) => (s.dataBytes = 100)), "OUT_OF_BOUNDS");
  });
});
