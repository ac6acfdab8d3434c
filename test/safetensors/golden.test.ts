/** The golden files of safetensors 0.8.0 / transformers (fixtures/safetensors, see its README). */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../src/core/errors.js";
import { openCheckpoint, openSafetensors, type SafetensorsFile } from "../../formats/safetensors/index.js";
import { fixturePath, readJson, sha256 } from "../helpers/fixtures.js";
import { expectCode } from "./helpers.js";

interface ExpectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
  absolute_offset: number;
  nbytes: number;
  sha256: string;
  first_values: (number | boolean)[];
  first_bytes_hex: string;
}
interface ExpectedFile {
  file_bytes: number;
  header_length: number;
  metadata: Record<string, string> | null;
  header_key_order: string[];
  tensors: ExpectedTensor[];
}
const manifest = readJson("safetensors", "manifest.json");
const cases: any[] = manifest.cases;
const manifestText = readFileSync(fixturePath("safetensors", "manifest.json"), "utf8");

/** I64 first_values exceed 2^53, so JSON.parse cannot give them exactly: take them from the text. */
function exactFirstValues(name: string): bigint[] {
  const m = new RegExp(`"name":\\s*"${name}",\\s*"dtype":\\s*"I64".*?"first_values":\\s*\\[([^\\]]*)\\]`, "s").exec(manifestText);
  return m![1]!.split(",").map((s) => BigInt(s.trim()));
}

async function checkFile(st: SafetensorsFile, exp: ExpectedFile): Promise<void> {
  expect(st.size).toBe(exp.file_bytes);
  expect(st.headerLength).toBe(exp.header_length);
  expect(st.tensors.map((t) => t.name)).toEqual(exp.header_key_order.filter((k) => k !== "__metadata__"));
  // Compared as parsed maps: multi_metadata's key order is one of 24 the library may write.
  expect(Object.fromEntries(st.metadata)).toEqual(exp.metadata ?? {});
  for (const e of exp.tensors) {
    const t = st.get(e.name)!;
    expect({ dtype: t.dtype, shape: t.shape, byteOffset: t.byteOffset, byteLength: t.byteLength }).toEqual({
      dtype: e.dtype,
      shape: e.shape,
      byteOffset: e.absolute_offset,
      byteLength: e.nbytes,
    });
    expect(t.byteOffset - 8 - exp.header_length).toBe(e.data_offsets[0]);
    const bytes = await st.readBytes(e.name);
    expect(sha256(bytes)).toBe(e.sha256);
    expect(Buffer.from(bytes.subarray(0, e.first_bytes_hex.length / 2)).toString("hex")).toBe(e.first_bytes_hex);
    await checkFirstValues(st, e, bytes);
  }
}

async function checkFirstValues(st: SafetensorsFile, e: ExpectedTensor, bytes: Uint8Array): Promise<void> {
  const n = e.first_values.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (e.dtype) {
    case "F32":
    case "F16":
    case "BF16":
      expect([...(await st.readFloat32(e.name)).subarray(0, n)]).toEqual(e.first_values);
      return;
    case "F64": {
      const exact = Array.from({ length: n }, (_, i) => view.getFloat64(8 * i, true));
      expect(exact).toEqual(e.first_values);
      // readFloat32 rounds each value to float32 (1e-310 becomes 0, -0 stays -0).
      expect([...(await st.readFloat32(e.name)).subarray(0, n)]).toEqual(e.first_values.map((v) => Math.fround(v as number)));
      return;
    }
    case "I64":
      expect(Array.from({ length: n }, (_, i) => view.getBigInt64(8 * i, true))).toEqual(exactFirstValues(e.name));
      return;
    case "BOOL":
      expect([...(await st.readTyped(e.name)).subarray(0, n)]).toEqual(e.first_values.map((v) => (v ? 1 : 0)));
      return;
    default:
      expect([...(await st.readTyped(e.name)).subarray(0, n)]).toEqual(e.first_values);
  }
}

describe("valid golden files", () => {
  for (const c of cases.filter((c) => c.kind === "valid" || c.kind === "valid_edge")) {
    it(`${c.name} reads back as the manifest says`, async () => {
      const st = await openSafetensors(fixturePath("safetensors", c.files.safetensors.file));
      try {
        await checkFile(st, c.expected);
        // The library's own reader lists the same names.
        expect(st.tensors.map((t) => t.name).sort()).toEqual([...c.reader_results.safe_open_pt.result.keys].sort());
      } finally {
        await st.close();
      }
    });
  }

  it("covers every valid case of the manifest", () => {
    expect(cases.filter((c) => c.kind.startsWith("valid")).map((c) => c.name).sort()).toEqual(
      ["all_dtypes", "metadata_only", "multi_metadata", "no_tensors", "sharded_bitnet_bf16"],
    );
  });
});

/**
 * The crate's variant → our code. InvalidHeaderDeserialization lumps several causes that ternpack
 * names separately, so those cases are listed by file. `header_not_starting_with_brace` is a JSON
 * array: the crate (0.8.0, no start check enforced) says InvalidHeaderDeserialization, ternpack
 * enforces the README's "MUST start with {" and says INVALID_HEADER_START.
 */
const VARIANT_CODES: Record<string, ErrorCode> = {
  HeaderTooSmall: "HEADER_TOO_SMALL",
  HeaderTooLarge: "HEADER_TOO_LARGE",
  InvalidHeaderLength: "INVALID_HEADER_LENGTH",
  InvalidHeader: "INVALID_UTF8",
  InvalidOffset: "INVALID_OFFSET",
  ValidationOverflow: "VALIDATION_OVERFLOW",
  TensorInvalidInfo: "TENSOR_INVALID_INFO",
  MetadataIncompleteBuffer: "INCOMPLETE_BUFFER",
};
const DESERIALIZATION_CODES: Record<string, ErrorCode> = {
  header_not_json: "INVALID_JSON",
  header_not_starting_with_brace: "INVALID_HEADER_START",
  unknown_dtype: "UNKNOWN_DTYPE",
};

describe("malformed golden files", () => {
  const malformed = cases.filter((c) => c.kind === "malformed");

  it("are all covered (14 files)", () => {
    expect(malformed.length).toBe(14);
  });

  for (const c of malformed) {
    const variant: string = c.expected_error.rust_error_variant;
    const code = variant === "InvalidHeaderDeserialization" ? DESERIALIZATION_CODES[c.name]! : VARIANT_CODES[variant]!;
    it(`${c.name}: ${variant} → ${code}`, async () => {
      const path = fixturePath("safetensors", c.files.safetensors.file);
      const err = await expectCode(openSafetensors(path), code);
      expect(err.file).toBe(path);
      // The crate names the tensor for InvalidOffset: we must name the same one.
      const named = /for tensor `([^`]+)`/.exec(c.expected_error.safe_open_message);
      if (named) expect(err.tensor).toBe(named[1]);
    });
  }

  it("give the numbers involved", async () => {
    const short = await expectCode(openSafetensors(fixturePath("safetensors", "malformed/data_shorter_than_offsets.safetensors")), "INCOMPLETE_BUFFER");
    expect(short.detail).toBe("header says 32 data bytes, file has 28");
    const trailing = await expectCode(openSafetensors(fixturePath("safetensors", "malformed/trailing_bytes.safetensors")), "INCOMPLETE_BUFFER");
    expect(trailing.detail).toBe("header says 32 data bytes, file has 40");
    const big = await expectCode(openSafetensors(fixturePath("safetensors", "malformed/header_size_over_100MB.safetensors")), "HEADER_TOO_LARGE");
    expect(big.message).toContain("100000001");
    const eof = await expectCode(openSafetensors(fixturePath("safetensors", "malformed/header_length_beyond_eof.safetensors")), "INVALID_HEADER_LENGTH");
    expect(eof.detail).toBe("header length 4096 needs 4104 bytes, file has 152");
    const mismatch = await expectCode(openSafetensors(fixturePath("safetensors", "malformed/dtype_shape_size_mismatch.safetensors")), "TENSOR_INVALID_INFO");
    expect(mismatch.tensor).toBe("a");
    expect(mismatch.detail).toBe("F32 [2, 3] needs 24 bytes, data_offsets span 20");
    expect(mismatch.offset).toBe(9); // the entry's key, right after '{' at byte 8
    const utf8 = await expectCode(openSafetensors(fixturePath("safetensors", "malformed/header_invalid_utf8.safetensors")), "INVALID_UTF8");
    expect(utf8.offset).toBe(8 + 2); // the crate: "invalid utf-8 sequence of 1 bytes from index 2"
  });
});

describe("sharded golden checkpoint", () => {
  const c = cases.find((c) => c.name === "sharded_bitnet_bf16")!;

  it("opens through its index and every tensor hashes as in the manifest", async () => {
    const ckpt = await openCheckpoint(fixturePath("safetensors", "sharded"));
    try {
      expect(ckpt.indexFile).toBe(fixturePath("safetensors", "sharded", "model.safetensors.index.json"));
      expect(ckpt.files.map((f) => basename(f))).toEqual(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]);
      expect(ckpt.warnings).toEqual([]);
      expect(ckpt.totalBytes).toBe(c.expected.index.metadata.total_size);
      const weightMap: Record<string, string> = c.expected.index.weight_map;
      expect(ckpt.tensors.map((t) => t.name).sort()).toEqual(Object.keys(weightMap).sort());
      for (const [shard, exp] of Object.entries<ExpectedFile>(c.expected.shards)) {
        for (const e of exp.tensors) {
          const t = ckpt.get(e.name)!;
          expect(basename(t.file)).toBe(shard);
          expect(weightMap[e.name]).toBe(shard);
          expect([t.byteOffset, t.byteLength, t.dtype, t.shape]).toEqual([e.absolute_offset, e.nbytes, e.dtype, e.shape]);
          expect(sha256(await ckpt.readBytes(e.name))).toBe(e.sha256);
          expect([...(await ckpt.readFloat32(e.name)).subarray(0, 8)]).toEqual(e.first_values);
        }
      }
      expect(Object.fromEntries(ckpt.metadata)).toEqual({ format: "pt" });
    } finally {
      await ckpt.close();
    }
  });

  it("each shard also reads as a single file", async () => {
    for (const [shard, exp] of Object.entries<ExpectedFile>(c.expected.shards)) {
      const st = await openSafetensors(fixturePath("safetensors", "sharded", shard));
      await checkFile(st, exp);
      await st.close();
    }
  });
});
