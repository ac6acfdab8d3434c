/** The two gguf-py golden files parse to exactly what their manifest records. */
import { describe, expect, it } from "vitest";
import { bufferSource, withFileSource } from "../../src/core/io.js";
import { GGUF_VALUE_TYPE, readGguf, readTensorData, type GgufKv } from "../../formats/gguf/index.js";
import { fixturePath, readFixture, readJson, sha256 } from "../helpers/fixtures.js";

interface ManifestKv {
  key: string;
  type: string;
  type_id: number;
  value?: unknown;
  element_type?: string;
  element_type_id?: number;
  count?: number;
  values?: unknown[];
}
interface ManifestCase {
  name: string;
  header: Record<string, number | string>;
  kv: ManifestKv[];
  tensors: Record<string, any>[];
}

const cases = readJson<{ cases: ManifestCase[] }>("gguf", "manifest.json").cases;

const view = new DataView(new ArrayBuffer(8));
const f32Hex = (x: number) => (view.setFloat32(0, x, true), "0x" + view.getUint32(0, true).toString(16).padStart(8, "0"));
const f64Hex = (x: number) => (view.setFloat64(0, x, true), "0x" + view.getBigUint64(0, true).toString(16).padStart(16, "0"));

/** Compares one element read by us with the manifest's representation of it. */
function expectElement(type: number, ours: unknown, theirs: unknown): void {
  const t = GGUF_VALUE_TYPE;
  if (type === t.FLOAT32) return expect(f32Hex(ours as number)).toBe((theirs as { bits: string }).bits);
  if (type === t.FLOAT64) return expect(f64Hex(ours as number)).toBe((theirs as { bits: string }).bits);
  if (type === t.UINT64 || type === t.INT64) {
    const decimal = typeof theirs === "object" ? (theirs as { value: string }).value : String(theirs);
    expect(typeof ours).toBe("bigint");
    return expect(ours).toBe(BigInt(decimal));
  }
  expect(ours).toStrictEqual(theirs);
}

function expectKv(ours: GgufKv, theirs: ManifestKv): void {
  expect(ours.type).toBe(theirs.type_id);
  if (ours.type !== GGUF_VALUE_TYPE.ARRAY) return expectElement(ours.type, ours.value, theirs.value);
  const { elementType, values } = ours.value;
  expect(elementType).toBe(theirs.element_type_id);
  expect(values.length).toBe(theirs.count);
  Array.from(values as ArrayLike<unknown>).forEach((v, i) => expectElement(elementType, v, theirs.values?.[i]));
}

describe.each(cases)("golden $name.gguf", (c) => {
  const bytes = readFixture("gguf", `${c.name}.gguf`);
  const parse = () => readGguf(bufferSource(bytes, c.name));

  it("has the manifest's header fields", async () => {
    const g = await parse();
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe(c.header.magic);
    expect({
      version: g.version,
      tensor_count: g.tensors.length,
      kv_count: g.kv.size,
      alignment: g.alignment,
      data_section_offset: g.dataOffset,
      file_bytes: g.fileSize,
    }).toStrictEqual({
      version: c.header.version,
      tensor_count: c.header.tensor_count,
      kv_count: c.header.kv_count,
      alignment: c.header.alignment,
      data_section_offset: c.header.data_section_offset,
      file_bytes: c.header.file_bytes,
    });
    expect(g.flavor).toBe("upstream");
  });

  it("has every KV in file order with its type and exact value", async () => {
    const g = await parse();
    expect([...g.kv.keys()]).toStrictEqual(c.kv.map((k) => k.key));
    for (const theirs of c.kv) expectKv(g.kv.get(theirs.key) as GgufKv, theirs);
  });

  it("has every tensor with type, dims, offsets, size and data hash", async () => {
    const g = await parse();
    const src = bufferSource(bytes);
    expect(g.tensors.map((t) => t.name)).toStrictEqual(c.tensors.map((t) => t.name));
    for (const [i, t] of g.tensors.entries()) {
      const m = c.tensors[i] as Record<string, any>;
      expect({ type: t.type, typeName: t.typeName, nDims: t.dims.length, dims: t.dims }).toStrictEqual({
        type: m.ggml_type_id,
        typeName: m.ggml_type,
        nDims: m.n_dims,
        dims: m.dims_ne_order,
      });
      expect([t.offset, t.absoluteOffset, t.nbytes]).toStrictEqual([m.offset_in_data_section, m.absolute_offset, m.nbytes]);
      const data = await readTensorData(src, t);
      expect(sha256(data)).toBe(m.sha256);
      expect(Buffer.from(data.subarray(0, 16)).toString("hex")).toBe(m.first_bytes_hex);
    }
  });

  it("parses identically from the file path and with tiny read windows", async () => {
    const reference = await parse();
    const fromPath = await readGguf(fixturePath("gguf", `${c.name}.gguf`));
    const tiny = await readGguf(bufferSource(bytes), { windowBytes: 7 });
    expect(fromPath).toStrictEqual(reference);
    expect(tiny).toStrictEqual(reference);
    const fromFile = await withFileSource(fixturePath("gguf", `${c.name}.gguf`), (s) => readTensorData(s, reference.tensors[11]!));
    expect(sha256(fromFile)).toBe(c.tensors[11]?.sha256);
  });
});
