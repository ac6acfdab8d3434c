import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BLOB_ALIGNMENT, knownFeatures } from "../../../formats/container/index.js";
import { getLayout, listLayouts } from "../../../formats/layouts/index.js";
import { allLayoutTensors, buildContainer, layoutTensor, manifestRange, open, OPTIONS, SIDE_FILES, withManifest } from "./helpers.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("container round trip", () => {
  it("covers every layout in the registry", () => {
    expect(allLayoutTensors().map((t) => t.decl.layout).sort()).toEqual(listLayouts().map((l) => l.name).sort());
    expect(listLayouts().length).toBeGreaterThanOrEqual(10);
  });

  for (const layout of listLayouts().map((l) => l.name)) {
    it(`${layout}: bytes, shape, parameters and decoded values come back exactly`, async () => {
      const t = layoutTensor(layout, 7);
      const c = await open(await buildContainer([t]));
      const e = c.tensorEntry(t.decl.name);
      expect(e.layout).toBe(layout);
      expect(e.shape).toEqual([...t.decl.shape]);
      expect(e.params).toEqual(t.decl.params);
      expect(e.source).toBe(`src.${layout}`);
      expect(e.length).toBe(t.bytes.length);
      const back = await c.readTensor(t.decl.name);
      expect(Buffer.compare(back, t.bytes)).toBe(0);
      const l = getLayout(layout);
      expect(l.decode(back, e.shape, e.params)).toEqual(l.decode(t.bytes, t.decl.shape, t.decl.params));
      expect(c.manifest.required).toContain(`layout:${layout}`);
    });
  }

  it("holds every layout at once: blobs at multiples of 64, side files first, zero padding, manifest right before the footer", async () => {
    const tensors = allLayoutTensors();
    const bytes = await buildContainer(tensors);
    const c = await open(bytes);
    const blobs = [...c.manifest.files, ...c.manifest.tensors];
    expect(blobs.map((b) => b.name)).toEqual([...SIDE_FILES.map((f) => f.name), ...tensors.map((t) => t.decl.name)]);
    for (const b of blobs) {
      expect(b.offset % BLOB_ALIGNMENT).toBe(0);
      expect(sha(bytes.subarray(b.offset, b.offset + b.storedLength))).toBe(b.sha256);
    }
    for (let i = 1; i < blobs.length; i++) {
      const prevEnd = blobs[i - 1]!.offset + blobs[i - 1]!.storedLength;
      expect(blobs[i]!.offset).toBe(Math.ceil(prevEnd / 64) * 64);
      expect(bytes.subarray(prevEnd, blobs[i]!.offset).every((x) => x === 0)).toBe(true);
    }
    const m = manifestRange(bytes);
    const last = blobs.at(-1)!;
    expect(m.offset).toBe(last.offset + last.storedLength);
    expect(m.offset + m.length + 64).toBe(bytes.length);
    await c.checkPadding();
    for (const t of tensors) expect(Buffer.compare(await c.readTensor(t.decl.name), t.bytes)).toBe(0);
    for (const f of SIDE_FILES) expect(Buffer.compare(await c.readFile(f.name), f.bytes)).toBe(0);
    expect(c.manifest.required).toEqual([...c.manifest.required].sort());
    for (const r of c.manifest.required) expect(knownFeatures().has(r)).toBe(true);
  });

  it("deflates float blobs and side files that shrink, never packed ternary or CB158 blobs, and keeps tiny files raw", async () => {
    const tensors = allLayoutTensors();
    const c = await open(await buildContainer(tensors));
    const byLayout = new Map(c.manifest.tensors.map((t) => [t.layout, t]));
    for (const packed of ["i2_s", "tl1", "tl2", "tq1_0", "tq2_0", "cb158"]) {
      expect(byLayout.get(packed)!.compression).toBe("none");
      expect(byLayout.get(packed)!.storedLength).toBe(byLayout.get(packed)!.length);
    }
    // gaussian weights: bf16 and f32 lose ≥ 1/32 to deflate (bench/container.ts), stored deflated
    for (const float of ["bf16", "f32"]) {
      const t = byLayout.get(float)!;
      expect(t.compression).toBe("deflate");
      expect(t.storedLength).toBeLessThanOrEqual(t.length * (31 / 32));
    }
    const [config, tiny] = c.manifest.files;
    expect(config!.compression).toBe("deflate");
    expect(tiny!.compression).toBe("none");
    expect(c.manifest.required).toContain("deflate");
  });

  it("by default (compression side-files) deflates side files only: every tensor stays raw and mappable", async () => {
    const { compression: _all, ...defaults } = OPTIONS;
    const c = await open(await buildContainer(allLayoutTensors(), SIDE_FILES, defaults));
    expect(c.manifest.tensors.every((t) => t.compression === "none" && t.storedLength === t.length)).toBe(true);
    expect(c.manifest.files[0]!.compression).toBe("deflate");
  });

  it("with compression none, stores every blob raw and does not require deflate", async () => {
    const c = await open(await buildContainer(allLayoutTensors(), SIDE_FILES, { ...OPTIONS, compression: "none" }));
    expect([...c.manifest.files, ...c.manifest.tensors].every((b) => b.compression === "none")).toBe(true);
    expect(c.manifest.required).not.toContain("deflate");
  });

  it("ignores manifest fields it does not know (forward compatibility) and keeps the rest", async () => {
    const base = await buildContainer([layoutTensor("i2_s")]);
    const future = withManifest(base, (m) => {
      m.futureTopLevel = { anything: [1, 2, 3] };
      m.tensors[0].futureHint = "mmap-friendly";
      m.provenance.futureField = 42;
    });
    const c = await open(future);
    expect(c.manifest).not.toHaveProperty("futureTopLevel");
    expect(c.manifest.tensors[0]).not.toHaveProperty("futureHint");
    expect(c.manifest.provenance.method).toBe("absmean");
    expect(Buffer.compare(await c.readTensor("t.i2_s"), layoutTensor("i2_s").bytes)).toBe(0);
  });
});
