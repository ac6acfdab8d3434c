/**
 * What deflate (fflate, level 6) saves on each layout's blobs, and how fast: one 2048 × 2048 matrix
 * of gaussian-like weights per layout (ternary layouts get its absmean codes; CB158 its quantized
 * bytes at 1.58 bpw), plus the tinystories-656k fixture's real tensors (F16 embedding, F32 norms,
 * the tokenizer). The container stores a blob deflated only when that saves ≥ 1/32 (MIN_SAVING).
 *
 *   npm run bench:container
 */
import { readFile } from "node:fs/promises";
import { deflateSync } from "fflate";
import { MIN_SAVING } from "../formats/container/index.js";
import { getLayout, type LayoutParams } from "../formats/layouts/index.js";
import { resolveTlParams } from "../formats/layouts/tl-presets.js";
import { blockScalesFromTensorScale } from "../formats/layouts/tq-layout.js";
import { packCb158 } from "../formats/layouts/cb158-pack.js";
import { openCheckpoint } from "../formats/safetensors/index.js";
import { gaussianLike } from "../src/core/prng.js";
import { quantizeCb158 } from "../src/quant/cb158/index.js";

const M = 2048;
const K = 2048;

/** `kind`: "packed" (never tried), "tensor" (tried only with --compress) or "file" (side files: always tried). */
function measure(label: string, raw: Uint8Array, kind: "packed" | "tensor" | "file" = "tensor"): void {
  const t0 = performance.now();
  const deflated = deflateSync(raw, { level: 6 });
  const seconds = (performance.now() - t0) / 1000;
  const ratio = deflated.length / raw.length;
  const pays = raw.length >= 256 && deflated.length <= raw.length * (1 - MIN_SAVING);
  const policy =
    kind === "packed"
      ? "stored raw (packed layout: never tried, kept mappable)"
      : !pays
        ? "stored raw (saves < 1/32)"
        : kind === "file"
          ? "stored deflated"
          : "raw by default, deflated with --compress";
  console.log(
    `${label.padEnd(34)} ${String(raw.length).padStart(10)} → ${String(deflated.length).padStart(10)} bytes  ratio ${ratio.toFixed(4)}  ` +
      `(${(raw.length / 1e6 / seconds).toFixed(0)} MB/s)  ${policy}`,
  );
}

/** Absmean codes (t = round(clamp(w / mean|w|, −1, 1))) and σ = mean|w|: the statistics are what matters here. */
function ternarize(values: Float32Array): { codes: Int8Array; scale: number } {
  let sum = 0;
  for (const v of values) sum += Math.abs(v);
  const scale = sum / values.length;
  const codes = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) codes[i] = Math.max(-1, Math.min(1, Math.round(values[i]! / scale)));
  return { codes, scale };
}

const w = gaussianLike(M * K, 7, 0.02);
const t = ternarize(w);
console.log(`synthetic ${M} × ${K} gaussian-like weights`);
for (const name of ["i2_s", "tl1", "tl2", "tq1_0", "tq2_0"]) {
  const layout = getLayout(name);
  const params: LayoutParams = name === "tl1" || name === "tl2" ? { tl: resolveTlParams(name, M, K).params } : {};
  const scales = name.startsWith("tq") ? blockScalesFromTensorScale(t.codes, [M, K], t.scale) : Float32Array.of(t.scale);
  measure(`${name} (packed ternary)`, layout.pack!({ shape: [M, K], codes: t.codes, scales }, params), "packed");
}
for (const name of ["f32", "f16", "bf16", "q8_0"]) measure(`${name} (weights)`, getLayout(name).encode(w, [M, K]));
measure("f16 (σ·t, a ternary fallback)", getLayout("f16").encode(t.codes.reduce((out, c, i) => ((out[i] = c * t.scale), out), new Float32Array(M * K)), [M, K]));
const small = w.subarray(0, 512 * 2048);
measure("cb158 (512 × 2048, 1.58 bpw)", packCb158(quantizeCb158(small, [512, 2048], {}).tensor), "packed");

console.log(`\nfixtures/tinystories-656k`);
const ckpt = await openCheckpoint("fixtures/tinystories-656k/model.safetensors");
const emb = await ckpt.readFloat32("lm_head.weight");
measure("token_embd f16", getLayout("f16").encode(emb, [2048, 128]));
measure("token_embd q8_0", getLayout("q8_0").encode(emb, [2048, 128]));
for (const name of ["model.layers.0.mlp.down_proj.weight", "model.layers.0.self_attn.q_proj.weight"]) {
  const values = await ckpt.readFloat32(name);
  const info = ckpt.get(name)!;
  const shape = [info.shape[0]!, info.shape[1]!];
  const codes = ternarize(values);
  measure(`${name.replace("model.layers.", "")} i2_s`, getLayout("i2_s").pack!({ shape, codes: codes.codes, scales: Float32Array.of(codes.scale) }), "packed");
}
measure("output_norm f32", getLayout("f32").encode(await ckpt.readFloat32("model.norm.weight"), [128]));
await ckpt.close();
measure("tokenizer.json", new Uint8Array(await readFile("fixtures/tinystories-656k/tokenizer.json")), "file");
