/** ternpack convert --format tpk, inspect, verify and export on tinystories-656k, through the CLI. */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectImatrix } from "../../src/api/calibrate.js";
import { withFileSource } from "../../src/core/io.js";
import { openContainer } from "../../formats/container/index.js";
import { readGguf } from "../../formats/gguf/index.js";
import { openCheckpoint } from "../../formats/safetensors/index.js";
import { writeGgufImatrix } from "../../src/quant/imatrix/index.js";
import { fixturePath } from "../helpers/fixtures.js";
import { runCli } from "./run-cli.js";

const MODEL = fixturePath("tinystories-656k");
let dir: string;
let tpk: string;
let imatrix: string;
const home = process.cwd();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ternpack-cli-tpk-"));
  imatrix = join(dir, "calib.imatrix.gguf");
  const text = await readFile(fixturePath("calibration", "tinystories-calib.txt"), "utf8");
  await writeGgufImatrix(imatrix, await collectImatrix({ model: MODEL, text, datasets: ["tinystories-calib.txt"] }));
  // the default output name lands in the current directory
  process.chdir(dir);
  try {
    const r = await runCli("convert", MODEL, "--method", "cb158", "--imatrix", imatrix, "--format", "tpk", "--compress", "--workers", "0", "--quiet");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  } finally {
    process.chdir(home);
  }
  tpk = join(dir, "tinystories-656k-CB158.tpk");
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("ternpack … file.tpk", () => {
  it("convert --format tpk names the file <model>-CB158.tpk and stores CB158 tensors", async () => {
    expect(existsSync(tpk)).toBe(true);
    await withFileSource(tpk, async (src) => {
      const c = await openContainer(src);
      expect(c.manifest.tensors.filter((t) => t.layout === "cb158")).toHaveLength(14);
    });
  });

  it("convert --format tpk prints how to verify and export it", async () => {
    const out = join(dir, "ts-i2s.tpk");
    const r = await runCli("convert", MODEL, "--target", "bitnet.cpp", "--format", "tpk", "--workers", "0", "-o", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("verified 14 of 14 ternary tensors");
    expect(r.stdout).toContain(`wrote ${out}`);
    expect(r.stdout).toContain(`ternpack verify ${out}`);
    expect(r.stdout).toContain(`ternpack export ${out} --to gguf`);
  });

  it("inspect shows the layouts and, with --json, the manifest facts", async () => {
    const table = await runCli("inspect", tpk);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(": tpk, 20 tensors");
    expect(table.stdout).toMatch(/name\s+type\s+shape\s+offset\s+bytes\s+bpw\s+stored/);
    const row = table.stdout.split("\n").find((l) => l.startsWith("blk.0.attn_q.weight"))!;
    const [, bytes, bpw] = row.match(/CB158\s+\[128, 128\]\s+\d+\s+(\d+)\s+([\d.]+)\s+raw$/)!;
    expect(Number(bpw)).toBeCloseTo((Number(bytes) * 8) / (128 * 128), 4);
    expect(table.stdout).toMatch(/output_norm\.weight\s+F32\s+\[128\]\s+\d+\s+512\s+32\.0000\s+deflate \d+/);
    const json = await runCli("inspect", tpk, "--json");
    const doc = JSON.parse(json.stdout);
    expect(doc.format).toBe("tpk");
    expect(doc.metadata["provenance.method"]).toBe("cb158");
    expect(doc.tensors.find((t: any) => t.name === "blk.0.attn_q.weight").type).toBe("CB158");
  });

  it("verify checks every checksum and CB158 tensor; --json carries the report", async () => {
    const r = await runCli("verify", tpk);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("20 of 20 tensor checksums and 6 of 6 side-file checksums match; padding all zero");
    expect(r.stdout).toContain("14 of 14 packed tensors verified with the reference kernels");
    const json = JSON.parse((await runCli("verify", tpk, "--json")).stdout);
    expect(json.ok).toBe(true);
    expect(json.verified).toBe(14);
  });

  it("verify of a damaged container exits 1 naming the tensor, the offset and CHECKSUM_MISMATCH", async () => {
    const bytes = new Uint8Array(await readFile(tpk));
    const entry = await withFileSource(tpk, async (src) => (await openContainer(src)).tensorEntry("blk.0.ffn_up.weight"));
    bytes[entry.offset + 100]! ^= 0x04;
    const damaged = join(dir, "damaged.tpk");
    await writeFile(damaged, bytes);
    const r = await runCli("verify", damaged);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("CHECKSUM_MISMATCH");
    expect(r.stderr).toContain("tensor 'blk.0.ffn_up.weight'");
    expect(r.stderr).toContain(`byte ${entry.offset}`);
  });

  it("export --to gguf writes a GGUF with the CB158 tensors as F16; --to safetensors a dequantized F32 checkpoint", async () => {
    const gguf = join(dir, "out.gguf");
    const r = await runCli("export", tpk, "--to", "gguf", "-o", gguf);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("20 tensors (14 dequantized)");
    const g = await readGguf(gguf);
    expect(g.tensors.find((t) => t.name === "blk.0.attn_q.weight")!.typeName).toBe("F16");
    expect(g.kv.get("ternpack.cb158.export")!.value).toBe("dequantized-f16");

    process.chdir(dir);
    try {
      expect((await runCli("export", tpk, "--to", "safetensors", "--json")).code).toBe(0);
    } finally {
      process.chdir(home);
    }
    const st = await openCheckpoint(join(dir, "tinystories-656k-CB158.safetensors"));
    expect(st.tensors).toHaveLength(20);
    expect(st.tensors.every((t) => t.dtype === "F32")).toBe(true);
    await st.close();
    const named = join(dir, "source-names.safetensors");
    expect((await runCli("export", tpk, "--to", "safetensors", "--names", "source", "--dtype", "f16", "-o", named)).code).toBe(0);
    const hf = await openCheckpoint(named);
    expect(hf.get("model.layers.0.self_attn.q_proj.weight")?.dtype).toBe("F16");
    expect(hf.get("blk.0.attn_q.weight")).toBeUndefined();
    await hf.close();
  });

  it("export without --to, or with an unknown format, is a usage error", async () => {
    const none = await runCli("export", tpk);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--to is required");
    const bad = await runCli("export", tpk, "--to", "onnx", "-o", join(dir, "x.onnx"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('to must be "gguf" or "safetensors"');
    expect(existsSync(join(dir, "x.onnx"))).toBe(false);
  });

  it("convert --format tpk refuses --export-dequantized and --split-max-size", async () => {
    const a = await runCli("convert", MODEL, "--method", "cb158", "--export-dequantized", "--format", "tpk", "-o", join(dir, "y.tpk"));
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("does not apply to format tpk");
    const b = await runCli("convert", MODEL, "--format", "tpk", "--split-max-size", "1M", "-o", join(dir, "z.tpk"));
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("a container is one file");
  });
});
