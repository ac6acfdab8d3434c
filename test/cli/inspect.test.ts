import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixturePath, readJson } from "../helpers/fixtures.js";
import { runCli } from "./run-cli.js";

const MODEL = fixturePath("tinystories-656k", "model.safetensors");

describe("ternpack inspect", () => {
  it("reports the bundled safetensors model as JSON in header order", async () => {
    const r = await runCli("inspect", MODEL, "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.format).toBe("safetensors");
    expect(doc.metadata).toEqual({ format: "pt", "model.embed_tokens.weight": "lm_head.weight" });
    expect(doc.tensors).toHaveLength(20);
    expect(doc.tensors[0]).toEqual({ name: "lm_head.weight", type: "F32", shape: [2048, 128], offset: 2168, nbytes: 1048576 });
    const down = doc.tensors.find((t: any) => t.name === "model.layers.0.mlp.down_proj.weight");
    expect(down.shape).toEqual([128, 384]); // PyTorch order [out, in]
    expect(doc.tensors.reduce((a: number, t: any) => a + t.nbytes, 0)).toBe(2624000);
  });

  it("reports a GGUF file exactly as its gguf-py manifest records it", async () => {
    const golden = readJson("gguf", "manifest.json").cases.find((c: any) => c.name.startsWith("all_kv_types"));
    const r = await runCli("inspect", fixturePath("gguf", "all_kv_types.gguf"), "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.format).toBe("gguf");
    expect(doc.header.dataOffset).toBe(golden.header.data_section_offset);
    expect(Object.keys(doc.metadata)).toEqual(golden.kv.map((kv: any) => kv.key));
    expect(doc.tensors.map((t: any) => [t.name, t.type, t.shape, t.offset, t.nbytes])).toEqual(
      golden.tensors.map((t: any) => [t.name, t.ggml_type, t.dims_ne_order, t.absolute_offset, t.nbytes]),
    );
    const tq1 = doc.tensors.find((t: any) => t.type === "TQ1_0");
    expect(tq1.bitsPerWeight).toBeCloseTo(1.6875, 10);
  });

  it("prints a human table with every tensor", async () => {
    const r = await runCli("inspect", MODEL);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("20 tensors");
    expect(r.stdout).toMatch(/model\.norm\.weight\s+F32\s+\[128\]/);
  });

  it("fails with the code on stderr for an unknown format, a truncated file and a missing file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ternpack-inspect-"));
    writeFileSync(join(dir, "x.bin"), "hello world, not a model");
    let r = await runCli("inspect", join(dir, "x.bin"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("UNKNOWN_FORMAT");
    expect(r.stdout).toBe("");

    writeFileSync(join(dir, "t.gguf"), Buffer.from("GGUF\x03\x00\x00\x00", "latin1"));
    r = await runCli("inspect", join(dir, "t.gguf"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("TRUNCATED");

    r = await runCli("inspect", join(dir, "missing.safetensors"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("IO_ERROR");
  });

  it("is a usage error without a file", async () => {
    const r = await runCli("inspect");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("USAGE");
  });
});
