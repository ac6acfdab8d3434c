/**
 * Ctrl-C during a conversion, as a user does it: the built CLI gets SIGINT while it is writing,
 * exits non-zero with INTERRUPTED, and leaves neither the output nor its temporary file behind.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { writeSafetensors, type TensorToWrite } from "../../formats/safetensors/index.js";
import { fixturePath } from "../helpers/fixtures.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const HIDDEN = 512;
const FFN = 1536;
const LAYERS = 8;
const VOCAB = 2048; // the TinyStories tokenizer's

/** Deterministic pseudo-random weights (about 0.02 in size), fast enough for ~100 MB. */
function weights(n: number, seed: number): Uint8Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 8) / 16777216 - 0.5) * 0.04;
  }
  return new Uint8Array(out.buffer);
}

/** A Llama checkpoint of ~110 MB (F32) with the TinyStories tokenizer, so conversion takes a while. */
function writeModel(dir: string): Promise<void> {
  const t = (name: string, shape: number[], seed: number): TensorToWrite => ({ name, dtype: "F32", shape, data: weights(shape.reduce((a, b) => a * b, 1), seed) });
  const ones = (name: string): TensorToWrite => ({ name, dtype: "F32", shape: [HIDDEN], data: new Uint8Array(new Float32Array(HIDDEN).fill(1).buffer) });
  const tensors: TensorToWrite[] = [t("model.embed_tokens.weight", [VOCAB, HIDDEN], 1), ones("model.norm.weight")];
  for (let l = 0; l < LAYERS; l++) {
    const p = `model.layers.${l}`;
    tensors.push(
      ones(`${p}.input_layernorm.weight`),
      ones(`${p}.post_attention_layernorm.weight`),
      ...["q_proj", "k_proj", "v_proj", "o_proj"].map((m, i) => t(`${p}.self_attn.${m}.weight`, [HIDDEN, HIDDEN], 100 * l + i)),
      t(`${p}.mlp.gate_proj.weight`, [FFN, HIDDEN], 100 * l + 10),
      t(`${p}.mlp.up_proj.weight`, [FFN, HIDDEN], 100 * l + 11),
      t(`${p}.mlp.down_proj.weight`, [HIDDEN, FFN], 100 * l + 12),
    );
  }
  const config = {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    hidden_size: HIDDEN,
    intermediate_size: FFN,
    num_hidden_layers: LAYERS,
    num_attention_heads: 8,
    num_key_value_heads: 8,
    max_position_embeddings: 512,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    vocab_size: VOCAB,
    tie_word_embeddings: true,
    hidden_act: "silu",
    bos_token_id: 1,
    eos_token_id: 2,
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  for (const f of ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) copyFileSync(fixturePath("tinystories-656k", f), join(dir, f));
  return writeSafetensors(join(dir, "model.safetensors"), tensors, { format: "pt" });
}

describe("SIGINT during convert", () => {
  it("stops, reports INTERRUPTED and leaves no output or temporary file", async () => {
    expect(existsSync(CLI), "dist/cli.js is missing: run `npm install`").toBe(true);
    const model = mkdtempSync(join(tmpdir(), "ternpack-sigint-model-"));
    const out = mkdtempSync(join(tmpdir(), "ternpack-sigint-out-"));
    await writeModel(model);

    const child = spawn(process.execPath, [CLI, "convert", model, "-o", join(out, "m.gguf"), "--workers", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

    // Interrupt once the temporary output exists, i.e. mid-write.
    const started = Date.now();
    let sawTemp = false;
    while (Date.now() - started < 20_000 && child.exitCode === null) {
      if (readdirSync(out).some((f) => f.endsWith(".tmp"))) {
        sawTemp = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(sawTemp, "the conversion finished or never started writing before SIGINT could be sent").toBe(true);
    child.kill("SIGINT");
    const code = await exited;

    expect(code).toBe(1);
    expect(stderr).toContain("INTERRUPTED");
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);
});
