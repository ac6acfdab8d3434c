/** One hand-built file per header rule, each next to a control that the same construction is accepted. */
import { describe, expect, it } from "vitest";
import { bufferSource } from "../../src/core/io.js";
import { openSafetensors, type SafetensorsLimits } from "../../formats/safetensors/index.js";
import { buildFile, entry, expectCode } from "./helpers.js";

const open = (bytes: Uint8Array, limits?: Partial<SafetensorsLimits>) => openSafetensors(bufferSource(bytes, "t.safetensors"), { limits });
const one = (name: string, e: string, data = 4) => buildFile(`{${JSON.stringify(name)}:${e}}`, data);

describe("control", () => {
  it("a hand-built file with one F32 scalar opens", async () => {
    const st = await open(one("a", entry("F32", [], 0, 4)));
    expect(st.tensors).toEqual([{ name: "a", dtype: "F32", shape: [], byteOffset: 8 + 53, byteLength: 4 }]);
  });
});

describe("duplicate keys (JSON.parse would keep the last silently)", () => {
  it("at the top level", async () => {
    const header = `{"a":${entry("F32", [], 0, 4)},"a":${entry("I32", [], 0, 4)}}`;
    expect(JSON.parse(header).a.dtype).toBe("I32"); // what a naive reader would see
    const err = await expectCode(open(buildFile(header, 4)), "DUPLICATE_KEY");
    expect(err.offset).toBe(8 + header.lastIndexOf('"a"'));
    expect(err.detail).toContain('"a"');
  });

  it("inside a tensor entry", async () => {
    const header = `{"a":{"dtype":"F32","shape":[],"dtype":"I32","data_offsets":[0,4]}}`;
    const err = await expectCode(open(buildFile(header, 4)), "DUPLICATE_KEY");
    expect(err.offset).toBe(8 + header.lastIndexOf('"dtype"'));
  });

  it("inside __metadata__", async () => {
    await expectCode(open(buildFile(`{"__metadata__":{"k":"1","k":"2"}}`)), "DUPLICATE_KEY");
  });

  it("even when spelled with different escapes", async () => {
    await expectCode(open(buildFile(`{"a":${entry("F32", [], 0, 4)},"\\u0061":${entry("F32", [], 4, 8)}}`, 8)), "DUPLICATE_KEY");
  });
});

describe("names are plain strings", () => {
  it("__proto__, constructor and toString are ordinary tensor and metadata names", async () => {
    const header = `{"__metadata__":{"__proto__":"x","constructor":"y"},"__proto__":${entry("U8", [2], 0, 2)},"constructor":${entry("U8", [1], 2, 3)},"toString":${entry("U8", [], 3, 4)}}`;
    const st = await open(buildFile(header, new Uint8Array([1, 2, 3, 4])));
    expect(st.tensors.map((t) => t.name)).toEqual(["__proto__", "constructor", "toString"]);
    expect(st.get("__proto__")?.shape).toEqual([2]);
    expect([...(await st.readBytes("__proto__"))]).toEqual([1, 2]);
    expect(st.get("hasOwnProperty")).toBeUndefined();
    expect(st.metadata.get("__proto__")).toBe("x");
    expect(st.metadata.get("constructor")).toBe("y");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    await expectCode(st.readBytes("valueOf"), "TENSOR_NOT_FOUND");
  });
});

describe("shape", () => {
  const cases: [string, string, string][] = [
    ["a negative dim", "-1", "INVALID_SHAPE"],
    ["a fractional dim", "2.5", "INVALID_SHAPE"],
    ["a float-written integer", "1.0", "INVALID_SHAPE"],
    ["an exponent", "1e0", "INVALID_SHAPE"],
    ["a dim too large for a double (non-finite)", "1e400", "INVALID_SHAPE"],
    ["a dim beyond u64", "18446744073709551616", "INVALID_SHAPE"],
    ["a string dim", '"1"', "INVALID_HEADER"],
  ];
  for (const [what, dim, code] of cases) {
    it(`rejects ${what} (${dim}) with ${code}`, async () => {
      const err = await expectCode(open(one("a", `{"dtype":"U8","shape":[${dim}],"data_offsets":[0,1]}`, 1)), code as never);
      expect(err.tensor).toBe("a");
    });
  }

  it("rank 8 is accepted, rank 9 is LIMIT_EXCEEDED", async () => {
    expect((await open(one("a", entry("U8", Array(8).fill(1), 0, 1), 1))).tensors[0]!.shape.length).toBe(8);
    const err = await expectCode(open(one("a", entry("U8", Array(9).fill(1), 0, 1), 1)), "LIMIT_EXCEEDED");
    expect(err.detail).toBe("rank 9, limit 8");
  });

  it("an intermediate product overflow is VALIDATION_OVERFLOW even if a later dim is 0 (crate's try_fold)", async () => {
    await expectCode(open(one("a", entry("U8", [2 ** 40, 2 ** 40, 0], 0, 0), 0)), "VALIDATION_OVERFLOW");
  });

  it("a dim beyond 2^53 next to a 0 (valid for the crate) is LIMIT_EXCEEDED", async () => {
    await expectCode(open(one("a", entry("U8", [0, "9007199254740993"], 0, 0), 0)), "LIMIT_EXCEEDED");
    expect((await open(one("a", entry("U8", [0, 9007199254740991], 0, 0), 0))).tensors[0]!.shape).toEqual([0, 9007199254740991]);
  });

  it("sub-byte dtypes must fill whole bytes (MISALIGNED_SLICE)", async () => {
    await expectCode(open(one("a", entry("F4", [3], 0, 2), 2)), "MISALIGNED_SLICE");
    expect((await open(one("a", entry("F4", [4], 0, 2), 2))).tensors[0]!.byteLength).toBe(2);
    expect((await open(one("a", entry("F6_E2M3", [2, 2], 0, 3), 3))).tensors[0]!.byteLength).toBe(3);
  });
});

describe("names and counts", () => {
  it("a name with NUL is LIMIT_EXCEEDED", async () => {
    const err = await expectCode(open(buildFile(`{"a\\u0000b":${entry("U8", [], 0, 1)}}`, 1)), "LIMIT_EXCEEDED");
    expect(err.tensor).toBe("a\0b");
  });

  it("an empty name is LIMIT_EXCEEDED", async () => {
    await expectCode(open(one("", entry("U8", [], 0, 1), 1)), "LIMIT_EXCEEDED");
  });

  it("names of 1024 UTF-8 bytes pass, 1025 fail", async () => {
    const ok = "ä".repeat(512); // 1024 bytes, 512 UTF-16 units
    expect((await open(one(ok, entry("U8", [], 0, 1), 1))).tensors[0]!.name).toBe(ok);
    const err = await expectCode(open(one(`${ok}x`, entry("U8", [], 0, 1), 1)), "LIMIT_EXCEEDED");
    expect(err.detail).toBe("tensor name is 1025 bytes, limit 1024");
  });

  it("the tensor count cap applies (lowered to 2 here)", async () => {
    const header = `{"a":${entry("U8", [], 0, 1)},"b":${entry("U8", [], 1, 2)},"c":${entry("U8", [], 2, 3)}}`;
    expect((await open(buildFile(header, 3), { maxTensors: 3 })).tensors.length).toBe(3);
    await expectCode(open(buildFile(header, 3), { maxTensors: 2 }), "LIMIT_EXCEEDED");
  });
});

describe("header length and start", () => {
  it("the header cap can be lowered, not raised", async () => {
    const file = one("a", entry("F32", [], 0, 4));
    await expectCode(open(file, { maxHeaderBytes: 52 }), "HEADER_TOO_LARGE");
    expect((await open(file, { maxHeaderBytes: 53 })).headerLength).toBe(53);
    await expectCode(open(file, { maxHeaderBytes: 100_000_001 }), "USAGE");
  });

  it("N = 2^64 - 1 is HEADER_TOO_LARGE (not a bad allocation)", async () => {
    await expectCode(open(buildFile("{}", 0, (1n << 64n) - 1n)), "HEADER_TOO_LARGE");
  });

  for (const [what, header] of [
    ["leading whitespace", ' {"a":1}'],
    ["a UTF-8 BOM", '\uFEFF{}'],
    ["an empty header", ""],
    ["a JSON string", '"{}"'],
  ] as const) {
    it(`${what} is INVALID_HEADER_START`, async () => {
      await expectCode(open(buildFile(header)), "INVALID_HEADER_START");
    });
  }

  it("trailing spaces are padding; anything else after the object is INVALID_JSON", async () => {
    expect((await open(buildFile("{}      "))).tensors).toEqual([]);
    await expectCode(open(buildFile("{} x")), "INVALID_JSON");
    await expectCode(open(buildFile("{}\0\0")), "INVALID_JSON");
  });

  it("JSON nested past the depth cap in an ignored field is LIMIT_EXCEEDED, not a stack overflow", async () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    await expectCode(open(one("a", `{"dtype":"U8","shape":[],"data_offsets":[0,1],"x":${deep}}`, 1)), "LIMIT_EXCEEDED");
    expect((await open(one("a", `{"dtype":"U8","shape":[],"data_offsets":[0,1],"x":{"y":[1,[2]]}}`, 1))).tensors.length).toBe(1);
  });

  it("a lone surrogate escape is INVALID_JSON (as serde_json)", async () => {
    await expectCode(open(buildFile(`{"\\ud800":${entry("U8", [], 0, 1)}}`, 1)), "INVALID_JSON");
    expect((await open(buildFile(`{"\\ud83d\\ude00":${entry("U8", [], 0, 1)}}`, 1))).tensors[0]!.name).toBe("😀");
  });
});

describe("schema", () => {
  const cases: [string, string, string][] = [
    ["a missing dtype", `{"shape":[],"data_offsets":[0,1]}`, "INVALID_HEADER"],
    ["a non-string dtype", `{"dtype":8,"shape":[],"data_offsets":[0,1]}`, "INVALID_HEADER"],
    ["a non-standard dtype name", `{"dtype":"FP4","shape":[2],"data_offsets":[0,1]}`, "UNKNOWN_DTYPE"],
    ["three data_offsets", `{"dtype":"U8","shape":[],"data_offsets":[0,1,1]}`, "INVALID_HEADER"],
    ["a negative offset", `{"dtype":"U8","shape":[],"data_offsets":[-1,0]}`, "INVALID_HEADER"],
    ["a non-object entry", `[1]`, "INVALID_HEADER"],
  ];
  for (const [what, e, code] of cases) {
    it(`${what}: ${code}`, async () => {
      await expectCode(open(one("a", e, 1)), code as never);
    });
  }

  it("unknown fields in an entry are ignored (as the crate does)", async () => {
    expect((await open(one("a", `{"dtype":"U8","extra":"x","shape":[],"data_offsets":[0,1]}`, 1))).tensors[0]!.dtype).toBe("U8");
  });

  it("__metadata__ must map strings to strings; null means absent", async () => {
    await expectCode(open(buildFile(`{"__metadata__":{"k":1}}`)), "INVALID_METADATA");
    await expectCode(open(buildFile(`{"__metadata__":["k"]}`)), "INVALID_METADATA");
    expect((await open(buildFile(`{"__metadata__":null}`))).metadata.size).toBe(0);
  });
});

describe("offsets", () => {
  it("entries may be in any order in the header; tensors keep header order", async () => {
    const header = `{"b":${entry("U8", [1], 1, 2)},"a":${entry("U8", [1], 0, 1)}}`;
    const st = await open(buildFile(header, new Uint8Array([7, 9])));
    expect(st.tensors.map((t) => [t.name, t.byteOffset - 8 - st.headerLength])).toEqual([["b", 1], ["a", 0]]);
    expect([...(await st.readBytes("b"))]).toEqual([9]);
  });

  it("a first tensor not starting at 0 is INVALID_OFFSET", async () => {
    const err = await expectCode(open(one("a", entry("U8", [1], 1, 2), 2)), "INVALID_OFFSET");
    expect(err.detail).toBe("the first tensor's data starts at 1, expected 0");
  });

  it("offsets beyond 2^53 are compared exactly", async () => {
    const huge = ((1n << 61n) - 1n).toString(); // its bit count still fits in u64
    const err = await expectCode(open(one("a", `{"dtype":"U8","shape":[${huge}],"data_offsets":[0,${huge}]}`, 1)), "INCOMPLETE_BUFFER");
    expect(err.detail).toBe(`header says ${huge} data bytes, file has 1`);
    const max = "18446744073709551615"; // u64::MAX elements × 8 bits overflows, as in the crate
    await expectCode(open(one("a", `{"dtype":"U8","shape":[${max}],"data_offsets":[0,${max}]}`, 1)), "VALIDATION_OVERFLOW");
  });
});
