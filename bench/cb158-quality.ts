/**
 * CB158 quality on tinystories-656k against absmean ternarization (σ·t, one σ per tensor), both
 * exported as dequantized F16 GGUFs and scored with `evaluate` on fixtures/eval/tinystories-656k/eval.txt.
 * The importance matrix comes from fixtures/calibration/tinystories-calib.txt (never the eval text).
 * Prints: per linear tensor ε_h (CB158 at 1.58 bpw vs absmean), model PPL/KL for both, and a CB158
 * bpw sweep 1.3 → 2.5 (model KL/PPL and weight-weighted mean ε_h). Runs on the main thread (workers: 0).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGguf, readTensorData } from "../formats/gguf/reader.js";
import { getLayout } from "../formats/layouts/index.js";
import { collectImatrix } from "../src/api/calibrate.js";
import { convert, type ConvertResult } from "../src/api/convert.js";
import { evaluate, type EvaluateResult } from "../src/api/evaluate.js";
import { openFileSource } from "../src/core/io.js";
import { importanceWeightedError } from "../src/quant/cb158/index.js";
import { writeGgufImatrix } from "../src/quant/imatrix/index.js";
import { ternarizeTensor } from "../src/quant/tensor-ternary.js";

const MODEL = "fixtures/tinystories-656k";
const CALIB = "fixtures/calibration/tinystories-calib.txt";
const EVAL = "fixtures/eval/tinystories-656k/eval.txt";
const SWEEP = [1.3, 1.4, 1.5, 1.58, 1.75, 2.0, 2.25, 2.5];

/** Every tensor of a GGUF decoded to float32, row-major in GGUF order. */
async function tensorsOf(path: string): Promise<Map<string, { shape: number[]; values: Float32Array }>> {
  const source = await openFileSource(path);
  try {
    const gguf = await readGguf(source);
    const out = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const t of gguf.tensors) {
      const shape = [...t.dims].reverse();
      out.set(t.name, { shape, values: getLayout(t.typeName.toLowerCase()).decode(await readTensorData(source, t), shape) });
    }
    return out;
  } finally {
    await source.close();
  }
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  return cells.map((r) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join("  ")).join("\n");
}

const f = (x: number, d = 4) => x.toFixed(d);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "ternpack-cb158-quality-"));
  try {
    const calib = await readFile(CALIB, "utf8");
    const text = await readFile(EVAL, "utf8");
    const imatrix = await collectImatrix({ model: MODEL, text: calib, datasets: ["tinystories-calib.txt"] });
    const imatrixPath = join(dir, "calib.imatrix.gguf");
    await writeGgufImatrix(imatrixPath, imatrix);

    const f32 = join(dir, "f32.gguf");
    await convert({ input: MODEL, output: f32, method: "none", keepType: "f32", workers: 0 });
    const original = await tensorsOf(f32);

    const runCb158 = async (bpw: number): Promise<{ result: ConvertResult; evaluation: EvaluateResult }> => {
      const output = join(dir, `cb158-${bpw}.gguf`);
      const result = await convert({ input: MODEL, output, method: "cb158", bpw, imatrix: imatrixPath, exportDequantized: true, workers: 0 });
      return { result, evaluation: await evaluate({ original: MODEL, quantized: output, text }) };
    };

    // absmean σ·t exported as F16: TQ2_0 cannot hold 128-wide rows, so every projection falls back to F16 of σ·t
    const absmeanPath = join(dir, "absmean-f16.gguf");
    await convert({ input: MODEL, output: absmeanPath, workers: 0 });
    const absmean = await evaluate({ original: MODEL, quantized: absmeanPath, text });
    const base = await runCb158(1.58);

    const rows: (string | number)[][] = [];
    let absSum = 0;
    let weights = 0;
    for (const t of base.result.tensors.filter((r) => r.cb158)) {
      const { shape, values } = original.get(t.name)!;
      const h = imatrix.entries.get(t.name)!.mean;
      const { codes, sigma } = ternarizeTensor(values, shape);
      const ehAbs = importanceWeightedError(values, Float32Array.from(codes, (c) => c * sigma), shape[1]!, h);
      const q = t.cb158!;
      absSum += ehAbs * values.length;
      weights += values.length;
      rows.push([t.name, `${shape[0]}x${shape[1]}`, f(q.effectiveBpw), f(q.importanceWeightedError), f(ehAbs), f(q.importanceWeightedError / ehAbs, 3), f(q.cosine), q.outliers, q.salientColumns, q.tierHistogram.join("/")]);
    }
    console.log(`CB158 vs absmean per linear tensor (ε_h with the calibration imatrix; absmean = σ·t at log2(3) ≈ 1.585 bpw ideal, 2 bpw as I2_S)\n`);
    console.log(table(["tensor", "shape", "cb158 bpw", "ε_h cb158", "ε_h absmean", "ratio", "cos cb158", "outliers", "salient", "tiers"], rows));
    const c = base.result.cb158!;
    console.log(`\nmean ε_h (weight-weighted): cb158 ${f(c.meanImportanceWeightedError)}, absmean ${f(absSum / weights)}\n`);

    const evalRow = (name: string, bpw: string, e: EvaluateResult) => [name, bpw, f(e.original.ppl, 3), f(e.quantized.ppl, 3), f(e.kl.mean, 5), f(e.kl.p99, 4), f(e.sameTop.mean, 4)];
    console.log(`model quality on ${EVAL} (${absmean.tokens} scored tokens)\n`);
    console.log(
      table(["model", "bpw", "PPL original", "PPL quantized", "KL mean", "KL p99", "same top-1"], [
        evalRow("absmean σ·t (F16 export)", "1.585", absmean),
        evalRow("cb158 (F16 export)", f(c.effectiveBpw), base.evaluation),
      ]),
    );

    const sweep: (string | number)[][] = [];
    for (const bpw of SWEEP) {
      const run = bpw === 1.58 ? base : await runCb158(bpw);
      const t = run.result.cb158!;
      const learned = run.result.tensors.filter((x) => x.cb158?.codebook === "learned").length;
      sweep.push([String(bpw), f(t.effectiveBpw), f(t.meanImportanceWeightedError), f(t.meanRelativeError), f(run.evaluation.quantized.ppl, 3), f(run.evaluation.kl.mean, 5), f(run.evaluation.sameTop.mean, 4), `${learned}/${t.tensors}`]);
    }
    console.log(`\nCB158 bpw sweep\n`);
    console.log(table(["target bpw", "effective bpw", "mean ε_h", "mean rel err", "PPL", "KL mean", "same top-1", "learned tables"], sweep));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
