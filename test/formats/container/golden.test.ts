/** The committed golden containers keep reading exactly as when they were written (fixtures/container/README.md). */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withFileSource } from "../../../src/core/io.js";
import { openContainer } from "../../../formats/container/index.js";
import { openCheckpoint } from "../../../formats/safetensors/index.js";
import { dequantizeContainerTensor } from "../../../src/api/container-tensors.js";
import { verifyContainer } from "../../../src/api/verify-container.js";
import { fixturePath, readJson } from "../../helpers/fixtures.js";

interface Expected {
  files: Record<string, { tensors: Record<string, { layout: string; shape: number[]; bytesSha256: string; f32Sha256: string }> }>;
}

const expected = readJson<Expected>("container", "expected.json");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const MODEL = fixturePath("tinystories-656k");

describe("golden containers", () => {
  it("are the two committed files", () => {
    expect(Object.keys(expected.files).sort()).toEqual(["tinystories-656k-CB158.tpk", "tinystories-656k-TL1.tpk"]);
  });

  for (const [file, facts] of Object.entries(expected.files)) {
    it(`${file}: every tensor decodes to the recorded bytes and float32 values`, async () => {
      await withFileSource(fixturePath("container", file), async (src) => {
        const c = await openContainer(src);
        expect(c.manifest.version).toBe(1);
        expect(c.manifest.provenance.ternpack).toBe("0.1.0");
        expect(c.manifest.provenance.created).toBe("2026-12-01T00:00:00.000Z");
        expect(c.manifest.tensors.map((t) => t.name)).toEqual(Object.keys(facts.tensors));
        expect(c.tensorEntry("blk.1.attn_q.weight").permute).toEqual({ heads: 8 });
        expect(c.tensorEntry("blk.1.attn_k.weight").permute).toEqual({ heads: 4 });
        expect(c.tensorEntry("blk.1.attn_v.weight").permute).toBeUndefined();
        for (const t of c.manifest.tensors) {
          const want = facts.tensors[t.name]!;
          expect([t.layout, t.shape]).toEqual([want.layout, want.shape]);
          const bytes = await c.readTensor(t.name);
          expect(sha(bytes), t.name).toBe(want.bytesSha256);
          const values = dequantizeContainerTensor(t, bytes);
          expect(sha(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)), t.name).toBe(want.f32Sha256);
        }
        await c.checkPadding();
      });
    });

    it(`${file}: norms are the source's F32 bytes and the side files the fixture's files`, async () => {
      const ckpt = await openCheckpoint(fixturePath("tinystories-656k", "model.safetensors"));
      try {
        await withFileSource(fixturePath("container", file), async (src) => {
          const c = await openContainer(src);
          const norms = c.manifest.tensors.filter((t) => t.layout === "f32");
          expect(norms.length).toBe(5);
          for (const t of norms) expect(Buffer.compare(await c.readTensor(t.name), await ckpt.readBytes(t.source!))).toBe(0);
          for (const name of ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"]) {
            expect(Buffer.compare(await c.readFile(name), readFileSync(`${MODEL}/${name}`)), name).toBe(0);
          }
        });
      } finally {
        await ckpt.close();
      }
    });
  }

  it("the CB158 golden holds version-1 CB158 payloads of the built-in grid and passes the kernel checks", async () => {
    const r = await verifyContainer(fixturePath("container", "tinystories-656k-CB158.tpk"));
    expect(r.ok).toBe(true);
    const cb158 = r.tensors.filter((t) => t.kernel === "cb158");
    expect(cb158.length).toBe(14);
    expect(r.verified).toBe(14);
    await withFileSource(fixturePath("container", "tinystories-656k-CB158.tpk"), async (src) => {
      const c = await openContainer(src);
      expect(c.manifest.codebooks.map((b) => [b.id, b.storage])).toEqual([["cb158-grid-v1", "builtin"]]);
      for (const t of c.manifest.tensors.filter((x) => x.layout === "cb158")) {
        expect(t.codebook).toBe("cb158-grid-v1");
        expect(t.params.bpw).toBe(1.58);
        expect((await c.readTensor(t.name))[0]).toBe(1);
      }
    });
  });

  it("the TL1 golden verifies against the source weights with its recorded tilings", async () => {
    const r = await verifyContainer(fixturePath("container", "tinystories-656k-TL1.tpk"), { source: MODEL });
    expect(r.ok).toBe(true);
    const tl1 = r.tensors.filter((t) => t.layout === "tl1");
    expect(tl1.length).toBe(14);
    for (const t of tl1) {
      expect(t.ternary!.against).toBe("source");
      expect(t.ternary!.tiling!.params).toEqual(expect.objectContaining({ BM: expect.any(Number), BK: expect.any(Number), bm: expect.any(Number) }));
    }
  });
});
