/** Writer: byte-identical to safetensors 0.8.0 on the golden files, random round trips, input checks. */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferSource } from "../../src/core/io.js";
import {
  dtypeBits,
  dtypeOrder,
  DTYPES,
  openSafetensors,
  serializeSafetensors,
  writeSafetensors,
  type SafetensorsDtype,
  type TensorToWrite,
} from "../../formats/safetensors/index.js";
import { readFixture } from "../helpers/fixtures.js";
import { expectCode, prng } from "./helpers.js";

/** The tensors and metadata of a file, as read by our reader (in header order). */
/** Tensor names of a safetensors file in the order of their data (by data offset), read from the raw header. */
function namesInFileOrder(bytes: Uint8Array): string[] {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets?: [number, number] }>;
  return Object.entries(header)
    .filter(([k]) => k !== "__metadata__")
    .sort((a, b) => a[1].data_offsets![0] - b[1].data_offsets![0] || a[1].data_offsets![1] - b[1].data_offsets![1])
    .map(([k]) => k);
}

async function contents(bytes: Uint8Array): Promise<{ tensors: TensorToWrite[]; metadata: Map<string, string> }> {
  const st = await openSafetensors(bufferSource(bytes));
  const tensors: TensorToWrite[] = [];
  for (const t of st.tensors) tensors.push({ name: t.name, dtype: t.dtype, shape: t.shape, data: (await st.readBytes(t.name)).slice() });
  return { tensors, metadata: new Map(st.metadata) };
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const r = prng(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("writer reproduces the library's files byte for byte", () => {
  const files = [
    "all_dtypes.safetensors",
    "multi_metadata.safetensors", // metadata in this file's order (the library's order is random per run)
    "metadata_only.safetensors",
    "no_tensors.safetensors",
    "sharded/model-00001-of-00002.safetensors",
    "sharded/model-00002-of-00002.safetensors",
  ];
  for (const file of files) {
    it(file, async () => {
      const golden = readFixture("safetensors", file);
      const { tensors, metadata } = await contents(golden);
      // Input order must not matter: the writer sorts.
      const out = serializeSafetensors(shuffled(tensors, 7), metadata.size > 0 ? metadata : undefined);
      expect(Buffer.compare(Buffer.from(out), Buffer.from(golden))).toBe(0);
    });
  }

  it("all_dtypes from a plain metadata record", async () => {
    const golden = readFixture("safetensors", "all_dtypes.safetensors");
    const { tensors } = await contents(golden);
    expect(Buffer.from(serializeSafetensors(tensors.reverse(), { format: "pt" })).equals(Buffer.from(golden))).toBe(true);
  });

  it("writeSafetensors writes the same bytes to disk", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ternpack-st-"));
    try {
      const golden = readFixture("safetensors", "all_dtypes.safetensors");
      const { tensors, metadata } = await contents(golden);
      const path = join(dir, "out.safetensors");
      await writeSafetensors(path, tensors, metadata);
      expect(Buffer.from(await readFile(path)).equals(Buffer.from(golden))).toBe(true);
      // Lazily produced data: asked for one tensor at a time, in write order, same bytes.
      const asked: string[] = [];
      const lazy = tensors.map((t) => ({ ...t, data: async () => (asked.push(t.name), t.data as Uint8Array) }));
      await writeSafetensors(path, lazy, metadata);
      expect(Buffer.from(await readFile(path)).equals(Buffer.from(golden))).toBe(true);
      expect(asked).toEqual(namesInFileOrder(golden));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const NAME_PARTS = ["w", "model.layers.0", ".weight", "__proto__", "constructor", "ä", "✓", "三", "\uFFFD", "😀", "𝔁", "a\"b", "back\\slash", "tab\t", "\u0001"];

/** A random valid tensor: rank 0–4, small dims (some 0), sub-byte dtypes only with whole bytes. */
function randomTensor(r: ReturnType<typeof prng>, name: string): TensorToWrite {
  for (;;) {
    const dtype = r.pick(DTYPES);
    const shape = Array.from({ length: r.int(5) }, () => (r.int(8) === 0 ? 0 : 1 + r.int(5)));
    const bits = shape.reduce((a, b) => a * b, 1) * dtypeBits(dtype);
    if (bits % 8 !== 0) continue;
    const data = new Uint8Array(bits / 8).map(() => r.int(256));
    return { name, dtype, shape, data };
  }
}

describe("random tensor sets round-trip", () => {
  it("500 seeded sets: read back equal, in the crate's order, re-serialized identically", async () => {
    const r = prng(20250101);
    const utf8 = new TextEncoder();
    for (let iter = 0; iter < 500; iter++) {
      const names = new Set<string>();
      const count = r.int(9);
      while (names.size < count) names.add(Array.from({ length: 1 + r.int(3) }, () => r.pick(NAME_PARTS)).join(""));
      const tensors = [...names].map((n) => randomTensor(r, n));
      const metadata = r.int(3) === 0 ? undefined : new Map(Array.from({ length: r.int(4) }, (_, i) => [`k${i}${r.pick(NAME_PARTS)}`, r.pick(NAME_PARTS)]));
      const bytes = serializeSafetensors(tensors, metadata);

      const st = await openSafetensors(bufferSource(bytes));
      expect((8 + st.headerLength) % 8).toBe(0);
      expect(Object.fromEntries(st.metadata)).toEqual(Object.fromEntries(metadata ?? []));
      expect([...st.metadata.keys()]).toEqual([...(metadata?.keys() ?? [])]);
      expect(st.tensors.length).toBe(tensors.length);
      for (const t of tensors) {
        const info = st.get(t.name)!;
        expect([info.dtype, info.shape]).toEqual([t.dtype, t.shape]);
        expect(Buffer.from(await st.readBytes(t.name)).equals(Buffer.from(t.data as Uint8Array))).toBe(true);
      }
      // Order: dtype descending in enum order, then name in UTF-8 byte order; data contiguous.
      for (let i = 1; i < st.tensors.length; i++) {
        const [a, b] = [st.tensors[i - 1]!, st.tensors[i]!];
        const byDtype = dtypeOrder(a.dtype) - dtypeOrder(b.dtype);
        expect(byDtype).toBeGreaterThanOrEqual(0);
        if (byDtype === 0) expect(Buffer.compare(Buffer.from(utf8.encode(a.name)), Buffer.from(utf8.encode(b.name)))).toBe(-1);
        expect(b.byteOffset).toBe(a.byteOffset + a.byteLength);
      }
      const again = serializeSafetensors((await contents(bytes)).tensors, metadata);
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it("sorts names by UTF-8 bytes, not UTF-16 units", async () => {
    const t = (name: string): TensorToWrite => ({ name, dtype: "U8", shape: [1], data: new Uint8Array([name.length]) });
    // UTF-16: "😀" (D83D …) sorts before "\uFFFD"; UTF-8: EF BF BD before F0 9F 98 80.
    const st = await openSafetensors(bufferSource(serializeSafetensors([t("😀"), t("\uFFFD")])));
    expect(st.tensors.map((x) => x.name)).toEqual(["\uFFFD", "😀"]);
  });
});

describe("writer refuses what a reader would reject", () => {
  const f32 = (name: string, shape: number[], bytes: number): TensorToWrite => ({ name, dtype: "F32", shape, data: new Uint8Array(bytes) });
  const cases: [string, () => unknown, string][] = [
    ["duplicate names", () => serializeSafetensors([f32("a", [1], 4), f32("a", [1], 4)]), "DUPLICATE_KEY"],
    ["data length ≠ shape × dtype", () => serializeSafetensors([f32("a", [2, 3], 20)]), "TENSOR_INVALID_INFO"],
    ["F4 with an odd element count", () => serializeSafetensors([{ name: "a", dtype: "F4", shape: [3], data: new Uint8Array(2) }]), "MISALIGNED_SLICE"],
    ["a negative dimension", () => serializeSafetensors([f32("a", [-1], 0)]), "INVALID_SHAPE"],
    ["a fractional dimension", () => serializeSafetensors([f32("a", [1.5], 6)]), "INVALID_SHAPE"],
    ["rank 9", () => serializeSafetensors([f32("a", [1, 1, 1, 1, 1, 1, 1, 1, 1], 4)]), "LIMIT_EXCEEDED"],
    ["an unknown dtype", () => serializeSafetensors([{ name: "a", dtype: "F33" as SafetensorsDtype, shape: [], data: new Uint8Array(4) }]), "UNKNOWN_DTYPE"],
    ["the name __metadata__", () => serializeSafetensors([f32("__metadata__", [1], 4)]), "INVALID_HEADER"],
    ["an empty name", () => serializeSafetensors([f32("", [1], 4)]), "LIMIT_EXCEEDED"],
    ["a lone surrogate in a name", () => serializeSafetensors([f32("a\uD800", [1], 4)]), "INVALID_UTF8"],
    ["a non-string metadata value", () => serializeSafetensors([], { n: 1 as unknown as string }), "INVALID_METADATA"],
  ];
  for (const [what, run, code] of cases) {
    it(what, async () => {
      await expectCode(Promise.resolve().then(run), code as never);
    });
  }

  it("a failed writeSafetensors leaves no file behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ternpack-st-"));
    try {
      await expectCode(writeSafetensors(join(dir, "x.safetensors"), [f32("a", [2], 4)]), "TENSOR_INVALID_INFO");
      const short = { name: "b", dtype: "F32" as SafetensorsDtype, shape: [2], data: async () => new Uint8Array(4) };
      await expectCode(writeSafetensors(join(dir, "y.safetensors"), [short]), "TENSOR_INVALID_INFO");
      await expectCode(Promise.resolve().then(() => serializeSafetensors([short])), "USAGE");
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
