import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGguf } from "../../formats/gguf/reader.js";
import { fixturePath } from "../helpers/fixtures.js";
import { runCli } from "./run-cli.js";

const MODEL = fixturePath("tinystories-656k");
const CALIB = fixturePath("calibration", "tinystories-calib.txt");
const tmp = () => mkdtempSync(join(tmpdir(), "ternpack-cli-cb158-"));

describe("ternpack convert --method cb158", () => {
  it("without --export-dequantized is a usage error that says why, and writes nothing", async () => {
    const dir = tmp();
    const r = await runCli("convert", MODEL, "--method", "cb158", "--calib", CALIB, "-o", join(dir, "x.gguf"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("USAGE");
    expect(r.stderr).toContain("--export-dequantized");
    expect(r.stderr).toContain("no runtime executes CB158");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("rejects a non-numeric --bpw", async () => {
    const r = await runCli("convert", MODEL, "--method", "cb158", "--export-dequantized", "--bpw", "lots", "--dry-run");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--bpw takes a finite number");
  });

  it("converts with --calib at --bpw 2 and prints the per-tensor table and totals", async () => {
    const dir = tmp();
    const out = join(dir, "ts-cb158.gguf");
    const r = await runCli("convert", MODEL, "--method", "cb158", "--bpw", "2", "--calib", CALIB, "--export-dequantized", "--workers", "0", "-o", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("verified 14 of 14 CB158 tensors");
    expect(r.stdout).toMatch(/cb158: 14 tensors, [\d,]+ weights at 2\.0000 bits\/weight \(target 2/);
    expect(r.stdout).toContain("kept at F16: 1 tensor(s)");
    const row = r.stdout.split("\n").find((l) => l.startsWith("blk.0.attn_q.weight"));
    expect(row).toBeDefined();
    expect(row).toContain("2.0000");
    const gguf = await readGguf(out);
    expect(gguf.tensors.find((t) => t.name === "blk.0.attn_q.weight")!.typeName).toBe("F16");
    expect(gguf.kv.get("ternpack.cb158.bpw")!.value).toBeCloseTo(2, 6);
  }, 60_000);

  it("--json carries the per-tensor cb158 reports and the model totals", async () => {
    const dir = tmp();
    const out = join(dir, "ts.gguf");
    const r = await runCli("convert", MODEL, "--method", "cb158", "--export-dequantized", "--workers", "0", "--json", "-o", out);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const reports = doc.tensors.filter((t: any) => t.cb158);
    expect(reports).toHaveLength(14);
    for (const t of reports) {
      expect(Math.abs(t.cb158.effectiveBpw - 1.58)).toBeLessThanOrEqual(0.005);
      expect(t.cb158.importance).toBe("flat");
      expect(t.cb158.tierHistogram.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
      expect(t.cb158.codebookEntropy).toBeGreaterThan(0);
    }
    expect(doc.cb158.tensors).toBe(14);
    expect(doc.cb158.kept.names).toEqual(["token_embd.weight"]);
    expect(doc.warnings.some((w: string) => w.includes("flat importance"))).toBe(true);
  }, 60_000);
});
