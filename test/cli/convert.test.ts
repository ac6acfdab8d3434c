import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGguf } from "../../formats/gguf/reader.js";
import { fixturePath } from "../helpers/fixtures.js";
import { runCli } from "./run-cli.js";

const MODEL = fixturePath("tinystories-656k");
const tmp = () => mkdtempSync(join(tmpdir(), "ternpack-cli-convert-"));

describe("ternpack convert", () => {
  it("--dry-run --json prints the plan and writes nothing", async () => {
    const dir = tmp();
    const r = await runCli("convert", MODEL, "--target", "bitnet.cpp", "--dry-run", "--json", "-o", join(dir, "x.gguf"));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.dryRun).toBe(true);
    expect(doc.tensors).toHaveLength(20);
    expect(doc.tensors.filter((t: any) => t.ggufType === "I2_S")).toHaveLength(14);
    expect(doc.bitsPerWeight.ternary).toBeGreaterThan(2);
    expect(doc.bitsPerWeight.ternary).toBeLessThan(2.02);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("converts the bundled model to I2_S, verified, and `verify --source` agrees", async () => {
    const dir = tmp();
    const out = join(dir, "ts-I2_S.gguf");
    const r = await runCli("convert", MODEL, "--target", "bitnet.cpp", "--workers", "0", "-o", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("verified 14 of 14 ternary tensors");
    expect(r.stdout).toContain("run it with bitnet.cpp");
    const gguf = await readGguf(out);
    expect(gguf.tensors.filter((t) => t.typeName === "I2_S").map((t) => t.name)).toContain("blk.0.attn_q.weight");
    expect(readdirSync(dir)).toEqual(["ts-I2_S.gguf"]);

    const v = await runCli("verify", out, "--source", MODEL, "--json");
    expect(v.code).toBe(0);
    const report = JSON.parse(v.stdout);
    expect(report.ok).toBe(true);
    expect(report.tensors).toHaveLength(14);
    expect(report.tensors.every((t: any) => t.against === "source")).toBe(true);
  });

  it("lists fallbacks once, naming every tensor, when the layout cannot hold the rows", async () => {
    const r = await runCli("convert", MODEL, "--dry-run");
    expect(r.code).toBe(0);
    const warning = r.stdout.split("\n").filter((l) => l.startsWith("warning:") && l.includes("instead of TQ2_0"));
    expect(warning).toHaveLength(1);
    expect(warning[0]).toContain("14 tensor(s) stored as F16");
    expect(r.stdout).toContain("why: TQ2_0 needs the row length");
  });

  it("fails cleanly: usage errors exit 2, bad input exits 1 and leaves no file", async () => {
    const dir = tmp();
    let r = await runCli("convert", MODEL, "--target", "bitnet.cpp", "--layout", "tq2_0", "-o", join(dir, "x.gguf"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("USAGE");
    r = await runCli("convert", MODEL, "--split-max-size", "lots", "-o", join(dir, "x.gguf"));
    expect(r.code).toBe(2);
    r = await runCli("convert", join(dir, "no-such-model"), "-o", join(dir, "x.gguf"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("IO_ERROR");
    // a checkpoint without tokenizer files: refused before anything is written
    r = await runCli("convert", fixturePath("safetensors", "sharded"), "--method", "none", "--workers", "0", "-o", join(dir, "x.gguf"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("INVALID_CONFIG");
    expect(r.stderr).toContain("tokenizer.json");
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, "x.gguf"))).toBe(false);
  });
});
