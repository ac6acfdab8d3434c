/**
 * convert → container → verify → export, on tinystories-656k: CB158 with an imatrix (the tensors
 * stored as CB158 bytes, not dequantized), and the ternary layouts; the GGUF export is byte for
 * byte the file a direct GGUF conversion writes; the safetensors export holds the values.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectImatrix } from "../../src/api/calibrate.js";
import { convert, type ConvertOptions, type ConvertResult } from "../../src/api/convert.js";
import { exportContainer } from "../../src/api/export-container.js";
import { inspect } from "../../src/api/inspect.js";
import { openSourceModel } from "../../src/api/verify-gguf-source.js";
import { verifyContainer } from "../../src/api/verify-container.js";
import { decodeHalves, encodeHalves } from "../../src/core/half.js";
import { withFileSource } from "../../src/core/io.js";
import { openContainer } from "../../formats/container/index.js";
import { readGguf, readTensorData } from "../../formats/gguf/index.js";
import { openCheckpoint } from "../../formats/safetensors/index.js";
import { writeGgufImatrix } from "../../src/quant/imatrix/index.js";
import { fixturePath } from "../helpers/fixtures.js";
import { caught, flipped, withManifest } from "../formats/container/helpers.js";

const MODEL = fixturePath("tinystories-656k");
const CALIB = fixturePath("calibration", "tinystories-calib.txt");
let dir: string;

/** The same conversion to a container and to a GGUF. */
async function both(name: string, options: Omit<ConvertOptions, "input" | "output">): Promise<{ tpk: string; gguf: string; result: ConvertResult }> {
  const tpk = join(dir, `${name}.tpk`);
  const gguf = join(dir, `${name}.gguf`);
  const result = await convert({ input: MODEL, output: tpk, format: "tpk", workers: 0, ...options });
  const cb = options.method === "cb158" ? { exportDequantized: true } : {};
  await convert({ input: MODEL, output: gguf, workers: 0, ...options, ...cb });
  return { tpk, gguf, result };
}

const f32Bytes = (v: Float32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ternpack-container-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("convert --method cb158 --imatrix --format tpk", () => {
  let run: Awaited<ReturnType<typeof both>>;

  beforeAll(async () => {
    const imatrix = await collectImatrix({ model: MODEL, text: await readFile(CALIB, "utf8"), datasets: ["tinystories-calib.txt"] });
    const file = join(dir, "calib.imatrix.gguf");
    await writeGgufImatrix(file, imatrix);
    run = await both("cb158", { method: "cb158", imatrix: file });
  }, 120_000);

  it("stores the 14 block projections as CB158 (not F16), verified in the quantize step", async () => {
    expect(run.result.files).toEqual([run.tpk]);
    expect(run.result.plan.format).toBe("tpk");
    expect(run.result.totals.fileBytes).toBe((await stat(run.tpk)).size);
    expect(run.result.verified).toBe(14);
    await withFileSource(run.tpk, async (src) => {
      const c = await openContainer(src);
      const cb = c.manifest.tensors.filter((t) => t.layout === "cb158");
      expect(cb.map((t) => t.name)).toEqual(run.result.tensors.filter((t) => t.cb158).map((t) => t.name));
      for (const t of cb) {
        const report = run.result.tensors.find((r) => r.name === t.name)!.cb158!;
        expect(t.length).toBe(report.packedBytes);
        expect(t.compression).toBe("none");
        expect(t.params.bpw).toBe(1.58);
        expect(report.importance).toBe("imatrix");
      }
      expect(c.manifest.provenance.method).toBe("cb158");
      expect(c.manifest.required).toContain("layout:cb158");
      // the totals count what the container stores: CB158 payloads, not their F16 export
      const stored = c.manifest.tensors.reduce((n, t) => n + t.length, 0);
      expect(run.result.totals.tensorBytes).toBe(stored);
      expect(run.result.bitsPerWeight.overall).toBeCloseTo((8 * stored) / run.result.totals.parameters, 12);
    });
  });

  it("verifies: every checksum, the padding and every CB158 tensor through the kernel", async () => {
    const r = await verifyContainer(run.tpk);
    expect(r.ok).toBe(true);
    expect(r.verified).toBe(14);
    expect(r.files.map((f) => f.name)).toContain("gguf-metadata.gguf");
    expect(r.tensors.every((t) => t.checksum)).toBe(true);
  });

  it("exports to GGUF byte for byte as convert writes it, and to safetensors with Ŵ exactly (its F16 is the GGUF's)", async () => {
    const gguf = join(dir, "cb158.export.gguf");
    const e = await exportContainer(run.tpk, { to: "gguf", output: gguf });
    expect(e.dequantized).toBe(14);
    expect(Buffer.compare(await readFile(gguf), await readFile(run.gguf))).toBe(0);

    const st = join(dir, "cb158.safetensors");
    await exportContainer(run.tpk, { to: "safetensors", output: st });
    const ckpt = await openCheckpoint(st);
    const direct = await readGguf(run.gguf);
    await withFileSource(run.gguf, async (src) => {
      for (const name of ["blk.0.attn_q.weight", "blk.1.ffn_down.weight"]) {
        const values = await ckpt.readFloat32(name);
        const info = direct.tensors.find((t) => t.name === name)!;
        expect(Buffer.compare(encodeHalves(values, "f16"), await readTensorData(src, info))).toBe(0);
      }
    });
    expect(ckpt.tensors.every((t) => t.dtype === "F32")).toBe(true);
    await ckpt.close();
  });

  it("a flipped byte in a CB158 blob is reported by verify with the tensor and its offset; the others still pass", async () => {
    const bytes = new Uint8Array(await readFile(run.tpk));
    const entry = await withFileSource(run.tpk, async (src) => (await openContainer(src)).tensorEntry("blk.1.attn_v.weight"));
    const damaged = join(dir, "damaged.tpk");
    await writeFile(damaged, flipped(bytes, entry.offset + 17));
    const r = await verifyContainer(damaged);
    expect(r.ok).toBe(false);
    const bad = r.tensors.filter((t) => !t.ok);
    expect(bad.map((t) => t.name)).toEqual(["blk.1.attn_v.weight"]);
    expect(bad[0]!.failure).toMatchObject({ check: "checksum", code: "CHECKSUM_MISMATCH", fileOffset: entry.offset });
  });

  it("a CB158 blob that matches its checksum but not the layout (version byte) fails the kernel check", async () => {
    const bytes = new Uint8Array(await readFile(run.tpk));
    const entry = await withFileSource(run.tpk, async (src) => (await openContainer(src)).tensorEntry("blk.0.attn_k.weight"));
    const blob = flipped(bytes, entry.offset, 0xf0).subarray(entry.offset, entry.offset + entry.length);
    const sha = createHash("sha256").update(blob).digest("hex");
    const rehashed = withManifest(flipped(bytes, entry.offset, 0xf0), (m) => (m.tensors.find((t: any) => t.name === entry.name).sha256 = sha));
    const file = join(dir, "rehashed.tpk");
    await writeFile(file, rehashed);
    const r = await verifyContainer(file);
    const bad = r.tensors.find((t) => !t.ok)!;
    expect(bad.name).toBe(entry.name);
    expect(bad.checksum).toBe(true);
    expect(bad.failure!.check).toBe("kernel");
    expect(bad.failure!.fileOffset).toBe(entry.offset);
  });
});

describe("ternary layouts in a container", () => {
  const cases = [
    { name: "i2_s", options: { target: "bitnet.cpp", layout: "i2_s" } },
    { name: "tl1", options: { target: "bitnet.cpp", layout: "tl1" } },
    { name: "tl2", options: { target: "bitnet.cpp", layout: "tl2", keepType: "q8_0" } },
    { name: "tq2_0", options: { target: "llama.cpp", layout: "tq2_0" } },
    { name: "tq1_0", options: { target: "llama.cpp", layout: "tq1_0", keepType: "bf16" } },
  ] as const;

  for (const { name, options } of cases) {
    it(`${name}: convert to tpk, verify against the source, export to GGUF byte-identical to convert's`, async () => {
      const run = await both(name, options);
      const r = await verifyContainer(run.tpk, { source: MODEL });
      expect(r.ok).toBe(true);
      const ternary = r.tensors.filter((t) => t.kernel === "ternary");
      expect(ternary.length).toBe(run.result.totals.ternaryTensors);
      for (const t of ternary) expect(t.ternary!.against).toBe("source");
      const out = join(dir, `${name}.export.gguf`);
      await exportContainer(run.tpk, { to: "gguf", output: out });
      expect(Buffer.compare(await readFile(out), await readFile(run.gguf))).toBe(0);
    });
  }

  it("i2_s: the safetensors export holds σ·t of the converter's rule on the source weights, and the source's norms", async () => {
    const tpk = join(dir, "i2_s.tpk");
    const st = join(dir, "i2_s.safetensors");
    const e = await exportContainer(tpk, { to: "safetensors", output: st, dtype: "f32" });
    expect(e.dequantized).toBe(14); // the I2_S tensors; the F16 embedding and F32 norms are float layouts, decoded as is
    const out = await openCheckpoint(st);
    const source = await openSourceModel(MODEL);
    const original = await openCheckpoint(join(MODEL, "model.safetensors"));
    try {
      for (const name of ["blk.0.attn_q.weight", "blk.1.ffn_up.weight"]) {
        const info = out.get(name)!;
        const want = await source.expected(name, [...info.shape].reverse());
        const got = await out.readFloat32(name);
        expect(Buffer.compare(f32Bytes(got), f32Bytes(Float32Array.from(want.codes, (c) => c * want.sigma)))).toBe(0);
      }
      expect(Buffer.compare(f32Bytes(await out.readFloat32("output_norm.weight")), await original.readBytes("model.norm.weight"))).toBe(0);
      const emb = await out.readFloat32("token_embd.weight");
      const f16 = decodeHalves(encodeHalves(await original.readFloat32("lm_head.weight"), "f16"), "f16");
      expect(Buffer.compare(f32Bytes(emb), f32Bytes(f16))).toBe(0);
    } finally {
      await Promise.all([out.close(), source.close(), original.close()]);
    }
    const f16 = join(dir, "i2_s.f16.safetensors");
    await exportContainer(tpk, { to: "safetensors", output: f16, dtype: "f16" });
    const half = await openCheckpoint(f16);
    expect(half.tensors.every((t) => t.dtype === "F16")).toBe(true);
    await half.close();
  });

  it("method none, F32: the safetensors export with the source names is the original checkpoint, tensor for tensor", async () => {
    const tpk = join(dir, "f32.tpk");
    await convert({ input: MODEL, output: tpk, format: "tpk", method: "none", keepType: "f32", workers: 0 });
    const st = join(dir, "f32.source.safetensors");
    await exportContainer(tpk, { to: "safetensors", output: st, names: "source" });
    const out = await openCheckpoint(st);
    const original = await openCheckpoint(join(MODEL, "model.safetensors"));
    try {
      expect(out.tensors.map((t) => t.name).sort()).toEqual(original.tensors.map((t) => t.name).sort());
      for (const t of out.tensors) expect(Buffer.compare(await out.readBytes(t.name), await original.readBytes(t.name)), t.name).toBe(0);
      await withFileSource(tpk, async (src) => {
        const q = (await openContainer(src)).tensorEntry("blk.0.attn_q.weight");
        expect(q.permute).toEqual({ heads: 8 });
        const k = (await openContainer(src)).tensorEntry("blk.0.attn_k.weight");
        expect(k.permute).toEqual({ heads: 4 });
      });
    } finally {
      await Promise.all([out.close(), original.close()]);
    }
    const stored = join(dir, "f32.stored.safetensors");
    await exportContainer(tpk, { to: "safetensors", output: stored });
    const gguf = await openCheckpoint(stored);
    const orig = await openCheckpoint(join(MODEL, "model.safetensors"));
    expect(Buffer.compare(await gguf.readBytes("blk.0.attn_q.weight"), await orig.readBytes("model.layers.0.self_attn.q_proj.weight"))).not.toBe(0);
    expect(Buffer.compare(await gguf.readBytes("blk.0.attn_v.weight"), await orig.readBytes("model.layers.0.self_attn.v_proj.weight"))).toBe(0);
    await Promise.all([gguf.close(), orig.close()]);
    const e = await caught(exportContainer(tpk, { to: "gguf", output: join(dir, "x.gguf"), names: "source" }));
    expect(e.code).toBe("USAGE");
  });

  it("inspect reports the container's tensors, layouts, sizes and provenance from the manifest", async () => {
    const r = await inspect(join(dir, "tl1.tpk"));
    expect(r.format).toBe("tpk");
    const q = r.tensors.find((t) => t.name === "blk.0.attn_q.weight")!;
    expect(q).toMatchObject({ type: "TL1", shape: [128, 128], compression: "none" });
    expect(q.bitsPerWeight).toBeCloseTo((q.nbytes * 8) / (128 * 128), 9);
    expect(r.metadata["provenance.method"]).toBe("absmean");
    expect(r.metadata["model.target"]).toBe("bitnet.cpp");
    expect(r.header.required).toContain("layout:tl1");
  });
});

describe("convert format tpk options", () => {
  it("refuses split output, exportDequantized and unknown formats with USAGE, before reading", async () => {
    const out = join(dir, "never.tpk");
    const cases: [Partial<ConvertOptions>, string][] = [
      [{ format: "tpk", splitMaxBytes: 1000 }, "a container is one file"],
      [{ format: "tpk", method: "cb158", exportDequantized: true }, "does not apply to format tpk"],
      [{ format: "zip" as never }, "format must be one of gguf, tpk"],
    ];
    for (const [options, text] of cases) {
      const e = await caught(convert({ input: MODEL, output: out, workers: 0, ...options }));
      expect(e.code).toBe("USAGE");
      expect(e.message).toContain(text);
    }
    expect(await readdir(dir)).not.toContain("never.tpk");
  });

  it("a write failure in the middle leaves no file behind", async () => {
    const sub = await mkdtemp(join(dir, "fail-"));
    let writes = 0;
    const e = await caught(
      convert({
        input: MODEL,
        output: join(sub, "x.tpk"),
        format: "tpk",
        workers: 0,
        wrapSink: (sink) => ({
          get position() {
            return sink.position;
          },
          async write(bytes) {
            if (++writes === 12) throw new Error("disk gone");
            await sink.write(bytes);
          },
        }),
      }),
    );
    expect(e.message).toContain("disk gone");
    expect(writes).toBe(12);
    expect(await readdir(sub)).toEqual([]);
  });

  it("an abort during the run stops with INTERRUPTED and leaves nothing behind", async () => {
    const sub = await mkdtemp(join(dir, "abort-"));
    const controller = new AbortController();
    const e = await caught(
      convert({
        input: MODEL,
        output: join(sub, "x.tpk"),
        format: "tpk",
        workers: 0,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.tensorsDone === 3) controller.abort(new Error("stop"));
        },
      }),
    );
    expect(e.code).toBe("INTERRUPTED");
    expect(await readdir(sub)).toEqual([]);
  });
});
