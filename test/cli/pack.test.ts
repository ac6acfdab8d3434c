import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixturePath, goldenCases, readFixture } from "../helpers/fixtures.js";
import { runCli } from "./run-cli.js";

const tmp = () => mkdtempSync(join(tmpdir(), "ternpack-pack-"));
const bytesOf = (path: string) => new Uint8Array(readFileSync(path));

function golden(layout: string, name: string) {
  const c = goldenCases(join("layouts", layout)).find((x) => x.name === name);
  if (!c) throw new Error(`no golden case ${layout}/${name}`);
  return c;
}

describe("ternpack pack / unpack", () => {
  it("packs I2_S codes to BitNet's bytes and unpacks them back", async () => {
    const c = golden("i2_s", "random_8x512");
    const dir = tmp();
    const out = join(dir, "w.i2s");
    const scale = String(c.params.scale.value);
    const codes = fixturePath("layouts", "i2_s", c.files.input_ternary!.file);
    const r = await runCli("pack", "--layout", "i2_s", "--shape", c.shape.join(","), "--scale", scale, codes, "-o", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(bytesOf(out)).toEqual(readFixture("layouts", "i2_s", c.files.expected!.file));

    const back = join(dir, "codes.i8");
    const u = await runCli("unpack", "--layout", "i2_s", "--shape", c.shape.join(","), out, "-o", back, "--json");
    expect(u.code).toBe(0);
    expect(bytesOf(back)).toEqual(readFixture("layouts", "i2_s", c.files.input_ternary!.file));
    expect(JSON.parse(u.stdout).scales).toEqual([c.params.scale.value]);
  });

  it("packs TL2 with explicit tiling: weight bytes, zero padding, then the scale block", async () => {
    const c = golden("tl2", "random_64x256_k2_64");
    const dir = tmp();
    const out = join(dir, "w.tl2");
    const tl = [c.params.BM, c.params.BK, c.params.bm].join(",");
    const codes = fixturePath("layouts", "tl2", c.files.input_ternary!.file);
    const r = await runCli("pack", "-l", "tl2", "--shape", c.shape.join(","), "--tl", tl, "--scale", c.params.scale.text, codes, "-o", out, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ layout: "tl2", tlSource: "explicit", bytes: c.params.ggml_nbytes });
    const bytes = bytesOf(out);
    const expected = readFixture("layouts", "tl2", c.files.expected!.file);
    expect(bytes.subarray(0, expected.length)).toEqual(expected);
    const at = c.params.scale_offset_in_tensor_data;
    expect(Buffer.from(bytes.subarray(at, at + 4)).toString("hex")).toBe(c.params.scale.le_hex);
    expect(bytes.subarray(at + 4).every((b) => b === 0)).toBe(true);
  });

  it("quantizes float32 input the way libggml does (--input-f32, TQ2_0)", async () => {
    const c = golden("tq2_0", "gaussian");
    const out = join(tmp(), "w.tq2");
    const input = fixturePath("layouts", "tq2_0", c.files.input!.file);
    const r = await runCli("pack", "--layout", "tq2_0", "--shape", c.shape.join(","), "--input-f32", input, "-o", out);
    expect(r.code).toBe(0);
    expect(bytesOf(out)).toEqual(readFixture("layouts", "tq2_0", c.files.expected!.file));
  });

  it("rejects a file whose size does not match the shape, and leaves no output", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "codes.i8"), new Uint8Array(100));
    const out = join(dir, "w.bin");
    const r = await runCli("pack", "--layout", "i2_s", "--shape", "1,128", join(dir, "codes.i8"), "-o", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SHAPE_MISMATCH");
    expect(r.stderr).toContain("expected 128 bytes, file has 100");
    expect(existsSync(out)).toBe(false);
  });

  it("rejects non-ternary codes and shapes a layout cannot hold", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "codes.i8"), Int8Array.from({ length: 256 }, (_, i) => (i === 7 ? 2 : 0)));
    let r = await runCli("pack", "--layout", "tq2_0", "--shape", "1,256", join(dir, "codes.i8"), "-o", join(dir, "o"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("INVALID_TERNARY");

    r = await runCli("pack", "--layout", "tq2_0", "--shape", "2,128", join(dir, "codes.i8"), "-o", join(dir, "o"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("LAYOUT_UNSUPPORTED_SHAPE");
    expect(existsSync(join(dir, "o"))).toBe(false);
  });

  it("reports usage errors with exit code 2", async () => {
    for (const argv of [
      ["pack", "x.i8", "-o", "y"],
      ["pack", "--layout", "i2_s", "--shape", "4,abc", "x.i8", "-o", "y"],
      ["pack", "--layout", "i2_s", "--shape", "4,128", "--tl", "1,2,3", "x.i8", "-o", "y"],
      ["pack", "--layout", "nope", "--shape", "4,128", "--bogus", "x.i8", "-o", "y"],
    ]) {
      const r = await runCli(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).toContain("USAGE");
    }
    const r = await runCli("pack", "--layout", "nope", "--shape", "4,128", "x.i8", "-o", "y");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("LAYOUT_UNKNOWN");
  });
});

describe("ternpack layouts", () => {
  it("lists every registered layout with derived bits per weight", async () => {
    const r = await runCli("layouts", "--json");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).layouts;
    const by = Object.fromEntries(rows.map((x: any) => [x.name, x]));
    expect(Object.keys(by).sort()).toEqual(["bf16", "cb158", "f16", "f32", "i2_s", "q8_0", "tl1", "tl2", "tq1_0", "tq2_0"]);
    expect(by.tq1_0).toMatchObject({ blockSize: 256, blockBytes: 54, ggmlType: 34, bitsPerWeight: 1.6875, runtime: "llama.cpp" });
    expect(by.tq2_0).toMatchObject({ blockSize: 256, blockBytes: 66, ggmlType: 35, bitsPerWeight: 2.0625 });
    expect(by.q8_0).toMatchObject({ blockSize: 32, blockBytes: 34, ggmlType: 8 });
    // I2_S: n/4 + 32 bytes on 4096 x 4096
    expect(by.i2_s.bitsPerWeight).toBe(((4096 * 4096) / 4 + 32) * 8 / (4096 * 4096));
    expect(by.i2_s).toMatchObject({ ggmlType: 36, runtime: "bitnet.cpp" });
    expect(by.tl2.bitsPerWeight).toBeLessThan(1.7);
    const text = (await runCli("layouts")).stdout;
    expect(text).toMatch(/tq2_0\s+ternary\s+256\s+66\s+2\.0625\s+35\s+llama\.cpp/);
  });
});
