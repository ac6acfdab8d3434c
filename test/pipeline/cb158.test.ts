import { join } from "node:path";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convert, type ConvertResult } from "../../src/api/convert.js";
import { collectImatrix } from "../../src/api/calibrate.js";
import { evaluate } from "../../src/api/evaluate.js";
import { isTernpackError } from "../../src/core/errors.js";
import { getLayout } from "../../formats/layouts/index.js";
import { cb158BudgetBytes } from "../../formats/layouts/cb158-format.js";
import { GGUF_VALUE_TYPE } from "../../formats/gguf/value-types.js";
import { importanceWeightedError } from "../../src/quant/cb158/index.js";
import { ternarizeTensor } from "../../src/quant/tensor-ternary.js";
import { writeGgufImatrix, type ImportanceMatrix } from "../../src/quant/imatrix/index.js";
import { fixturePath } from "../helpers/fixtures.js";
import { hashOf, listDir, readGgufFully, TINYSTORIES, useTempDir, type GgufContents } from "./helpers.js";

const CALIB = fixturePath("calibration", "tinystories-calib.txt");
const EVAL_TEXT = fixturePath("eval", "tinystories-656k", "eval.txt");
const tempDir = useTempDir();

/** The tensor's values as float32, row-major in GGUF order ([ne1, ne0]). */
function valuesOf(contents: GgufContents, name: string): Float32Array {
  const info = contents.gguf.tensors.find((t) => t.name === name)!;
  const shape = [...info.dims].reverse();
  return getLayout(info.typeName.toLowerCase()).decode(contents.data.get(name)!, shape);
}

function absmeanReconstruction(values: Float32Array, shape: readonly number[]): Float32Array {
  const { codes, sigma } = ternarizeTensor(values, shape);
  return Float32Array.from(codes, (c) => c * sigma);
}

describe("convert method cb158", () => {
  let dir: string;
  let result: ConvertResult;
  let out: string;
  let cb: GgufContents;
  let reference: GgufContents;
  let imatrix: ImportanceMatrix;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ternpack-cb158-"));
    out = join(dir, "cb158.gguf");
    result = await convert({ input: TINYSTORIES, output: out, method: "cb158", exportDequantized: true, calib: CALIB, workers: 0 });
    const f32 = join(dir, "f32.gguf");
    await convert({ input: TINYSTORIES, output: f32, method: "none", keepType: "f32", workers: 0 });
    cb = await readGgufFully(out);
    reference = await readGgufFully(f32);
    imatrix = await collectImatrix({ model: TINYSTORIES, text: await readFile(CALIB, "utf8"), datasets: ["tinystories-calib.txt"] });
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("writes every block projection as F16 and keeps embeddings/norms as planned", () => {
    const cbNames = result.tensors.filter((t) => t.cb158).map((t) => t.name);
    expect(cbNames).toHaveLength(14);
    for (const name of cbNames) expect(cb.gguf.tensors.find((t) => t.name === name)!.typeName).toBe("F16");
    expect(cb.gguf.tensors.find((t) => t.name === "token_embd.weight")!.typeName).toBe("F16");
    expect(result.tensors.find((t) => t.name === "token_embd.weight")!.cb158).toBeUndefined();
    expect(result.cb158!.kept.names).toEqual(["token_embd.weight"]);
    expect(result.cb158!.tensors).toBe(14);
    expect(result.verified).toBe(14);
    expect(result.warnings.some((w) => w.includes("flat importance"))).toBe(false);
  });

  it("records the target and each tensor's effective bpw in KVs, within ±0.005 of the target counting every bit", () => {
    const kv = cb.gguf.kv;
    const bpw = kv.get("ternpack.cb158.bpw")!;
    expect(bpw.type).toBe(GGUF_VALUE_TYPE.FLOAT32);
    expect(bpw.value).toBeCloseTo(1.58, 6);
    expect(kv.get("ternpack.cb158.export")!.value).toBe("dequantized-f16");
    expect(kv.get("ternpack.cb158.importance")!.value).toBe("calib:tinystories-calib.txt");
    const names = kv.get("ternpack.cb158.tensors")!.value as { values: string[] };
    const effective = kv.get("ternpack.cb158.effective_bpw")!.value as { values: Float32Array };
    expect(names.values).toEqual(result.tensors.filter((t) => t.cb158).map((t) => t.name));
    for (const t of result.tensors.filter((r) => r.cb158)) {
      const r = t.cb158!;
      const weights = t.shape[0]! * t.shape[1]!;
      const bits = r.bits.fixed + r.bits.indices + r.bits.salient + r.bits.outliers + r.bits.padding;
      expect(bits).toBe(8 * cb158BudgetBytes(t.shape, 1.58));
      expect(bits / weights).toBeCloseTo(r.effectiveBpw, 12);
      expect(Math.abs(r.effectiveBpw - 1.58)).toBeLessThanOrEqual(0.005);
      expect(effective.values[names.values.indexOf(t.name)]).toBeCloseTo(r.effectiveBpw, 5);
    }
  });

  it("beats absmean ternarization (σ·t) on ε_h for every linear tensor, measured on the written F16", () => {
    for (const t of result.tensors.filter((r) => r.cb158)) {
      const shape = t.shape;
      const original = valuesOf(reference, t.name);
      const written = valuesOf(cb, t.name);
      const h = imatrix.entries.get(t.name)!.mean;
      const ehCb = importanceWeightedError(original, written, shape[1]!, h);
      const ehAbs = importanceWeightedError(original, absmeanReconstruction(original, shape), shape[1]!, h);
      expect(ehCb, t.name).toBeLessThan(ehAbs);
      // the report's ε_h is on the exact reconstruction; F16 rounding moves it only slightly
      expect(Math.abs(ehCb - t.cb158!.importanceWeightedError)).toBeLessThan(2e-3);
      expect(t.cb158!.cosine).toBeGreaterThan(t.cb158!.worstRowCosine - 1e-12);
    }
  });

  it("an imatrix file with the same statistics gives the same tensors as --calib; one lacking a tensor is refused up front", async () => {
    const file = join(dir, "calib.imatrix.gguf");
    await writeGgufImatrix(file, imatrix);
    const viaFile = join(dir, "via-imatrix.gguf");
    const r = await convert({ input: TINYSTORIES, output: viaFile, method: "cb158", exportDequantized: true, imatrix: file, workers: 0 });
    expect(r.tensors.filter((t) => t.cb158).every((t) => t.cb158!.importance === "imatrix")).toBe(true);
    const other = await readGgufFully(viaFile);
    expect(other.gguf.kv.get("ternpack.cb158.importance")!.value).toBe("imatrix:calib.imatrix.gguf");
    for (const t of cb.gguf.tensors) expect(hashOf(other.data.get(t.name)!), t.name).toBe(hashOf(cb.data.get(t.name)!));

    const partial = new Map(imatrix.entries);
    partial.delete("blk.1.ffn_up.weight");
    const lacking = join(dir, "lacking.imatrix.gguf");
    await writeGgufImatrix(lacking, { entries: partial, provenance: imatrix.provenance });
    const target = await tempDir();
    const e = await convert({ input: TINYSTORIES, output: join(target, "x.gguf"), method: "cb158", exportDequantized: true, imatrix: lacking, workers: 0 }).catch((err: unknown) => err);
    expect(isTernpackError(e, "TENSOR_NOT_FOUND")).toBe(true);
    expect((e as Error).message).toContain("blk.1.ffn_up.weight");
    expect(await listDir(target)).toEqual([]);
  }, 60_000);

  it("gives lower KL on the eval text than the absmean F16 equivalent", async () => {
    const absmean = join(dir, "absmean.gguf");
    const r = await convert({ input: TINYSTORIES, output: absmean, workers: 0 });
    expect(r.plan.fallbacks.length).toBe(14); // TQ2_0 cannot hold 128-wide rows: σ·t written as F16
    const text = await readFile(EVAL_TEXT, "utf8");
    const ours = await evaluate({ original: TINYSTORIES, quantized: out, text });
    const theirs = await evaluate({ original: TINYSTORIES, quantized: absmean, text });
    expect(ours.kl.mean).toBeLessThan(theirs.kl.mean);
    expect(ours.quantized.ppl).toBeLessThan(theirs.quantized.ppl);
  }, 120_000);
});

describe("convert method cb158: options", () => {
  const usage = async (options: Parameters<typeof convert>[0], text: string) => {
    const e = await convert(options).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isTernpackError(e, "USAGE")).toBe(true);
    expect((e as Error).message).toContain(text);
  };

  it("requires exportDequantized, explaining why", async () => {
    const dir = await tempDir();
    await usage({ input: TINYSTORIES, output: join(dir, "x.gguf"), method: "cb158" }, "no runtime executes CB158");
  });

  it("refuses imatrix and calib together, cb158 options with other methods, and a bad bpw", async () => {
    const dir = await tempDir();
    const base = { input: TINYSTORIES, output: join(dir, "x.gguf"), method: "cb158" as const, exportDequantized: true };
    await usage({ ...base, imatrix: "a.dat", calib: CALIB }, "not both");
    await usage({ ...base, bpw: 0 }, "bpw must be");
    await usage({ input: TINYSTORIES, output: join(dir, "x.gguf"), bpw: 2 }, "applies to method cb158");
  });

  it("warns on flat importance and plans the F16 export from headers", async () => {
    const r = await convert({ input: TINYSTORIES, dryRun: true, method: "cb158", exportDequantized: true, bpw: 2 });
    const planned = r.plan.tensors.filter((t) => t.cb158);
    expect(planned).toHaveLength(14);
    expect(planned.every((t) => t.typeName === "F16" && t.cb158!.bpw === 2 && t.cb158!.importance === "flat")).toBe(true);
    const dir = await tempDir();
    const flat = await convert({ input: TINYSTORIES, output: join(dir, "flat.gguf"), method: "cb158", exportDequantized: true, workers: 0 });
    expect(flat.warnings.some((w) => w.includes("flat importance"))).toBe(true);
    expect(flat.tensors.filter((t) => t.cb158).every((t) => t.cb158!.importance === "flat")).toBe(true);
  }, 60_000);
});

describe("convert --codebook", () => {
  it("grid keeps the built-in grid, learned stores a learned table in every tensor; both verified, the plan records the choice", async () => {
    const dir = await tempDir();
    const grid = await convert({ input: TINYSTORIES, output: join(dir, "grid.tpk"), method: "cb158", codebook: "grid", format: "tpk", workers: 0 });
    const learned = await convert({ input: TINYSTORIES, output: join(dir, "learned.tpk"), method: "cb158", codebook: "learned", format: "tpk", workers: 0 });
    for (const [r, want] of [[grid, "grid"], [learned, "learned"]] as const) {
      const cb = r.tensors.filter((t) => t.cb158 !== undefined);
      expect(cb).toHaveLength(14);
      expect(cb.every((t) => t.cb158!.codebook === want)).toBe(true);
      expect(r.plan.tensors.filter((t) => t.cb158).every((t) => t.cb158!.codebook === want)).toBe(true);
      expect(cb.every((t) => (want === "learned" ? t.cb158!.bits.codebook > 0 : t.cb158!.bits.codebook === 0))).toBe(true);
    }
    expect(hashOf(await readFile(join(dir, "grid.tpk")))).not.toBe(hashOf(await readFile(join(dir, "learned.tpk"))));
  }, 120_000);

  it("is refused for other methods and for unknown names", async () => {
    const dir = await tempDir();
    for (const o of [{ codebook: "grid" as const }, { method: "cb158" as const, format: "tpk" as const, codebook: "lattice" as "grid" }]) {
      const e = await convert({ input: TINYSTORIES, output: join(dir, "x.tpk"), ...o, dryRun: true }).catch((x: unknown) => x);
      expect(isTernpackError(e, "USAGE")).toBe(true);
    }
  });
});
