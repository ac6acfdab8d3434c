/**
 * The float32 batch-1 reference forward pass (llama, bitnet, bitnet-b1.58): one token at a time
 * with a KV cache. Per block: RMSNorm → q, k, v → RoPE → GQA attention → (attn_sub_norm) → o_proj
 * → residual; RMSNorm → gate, up → SiLU/relu² gating → (ffn_sub_norm) → down_proj → residual.
 * Then output_norm and the (possibly tied) head. BitNet projections optionally see int8
 * fake-quantized inputs (`activationQuant`); the head never does (transformers keeps lm_head dense).
 */
import { fail } from "../core/errors.js";
import type { Activation } from "../model/spec.js";
import { attend, KvCache } from "./attention.js";
import { gatedActivation } from "./ffn.js";
import { fakeQuantizeActivations, matVec } from "./linear.js";
import { rmsNorm } from "./rmsnorm.js";
import { createRope } from "./rope.js";
import type { EvalModel, Matrix } from "./weights.js";

export interface ForwardOptions {
  /** int8 per-token activation quantization before every block projection; default config.bitnet. */
  activationQuant?: boolean;
  /** Override the FFN activation (e.g. "silu" to mimic llama.cpp's bitnet graph on a relu² model). */
  activation?: Activation;
  /** KV cache capacity in tokens (createSession default 512; lastLogits/greedy size it to the input). */
  maxPositions?: number;
  /**
   * Called with every block projection's float input under the weight's GGUF name
   * (`blk.N.attn_q.weight`, ...; q, k and v each get the same attn_norm output) — before the
   * int8 activation fake quantization, as llama.cpp's imatrix sees the matmul's f32 operand.
   * `x` is a scratch buffer reused after the call returns.
   */
  onLinearInput?: (name: string, x: Float32Array) => void;
}

const PROJECTIONS = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] as const;
type Projection = (typeof PROJECTIONS)[number];

/** A per-layer reporter for `onLinearInput` with the names built once; a no-op without a hook. */
function linearInputReporter(layers: number, hook: ForwardOptions["onLinearInput"]): (layer: number, p: Projection, x: Float32Array) => void {
  if (hook === undefined) return () => {};
  const names = Array.from({ length: layers }, (_, l) => Object.fromEntries(PROJECTIONS.map((p) => [p, `blk.${l}.${p}.weight`])) as Record<Projection, string>);
  return (layer, p, x) => hook(names[layer]![p], x);
}

export interface Session {
  /** Tokens consumed so far. */
  readonly position: number;
  /** Feeds one token; returns the logits for the next one (a fresh array). */
  step(token: number): Float32Array;
}

/** A stateful decoder over `model`: feed tokens one by one, read logits. */
export function createSession(model: EvalModel, options: ForwardOptions = {}): Session {
  const { config, weights } = model;
  const { hidden, heads, kvHeads, headDim, ffn, vocab, rmsEps } = config;
  const actQuant = options.activationQuant ?? config.bitnet;
  const activation = options.activation ?? config.activation;
  const capacity = options.maxPositions ?? 512;
  const kvWidth = kvHeads * headDim;
  const cache = new KvCache(config.layers, kvWidth, capacity);
  const rope = createRope(headDim, config.ropeTheta, config.ropeFactor);
  const shape = { heads, kvHeads, headDim };
  const report = linearInputReporter(config.layers, options.onLinearInput);

  const x = new Float32Array(hidden);
  const normed = new Float32Array(hidden);
  const quantH = new Float32Array(hidden);
  const quantF = new Float32Array(ffn);
  const quantO = new Float32Array(heads * headDim);
  const q = new Float32Array(heads * headDim);
  const attnOut = new Float32Array(heads * headDim);
  const proj = new Float32Array(hidden);
  const gate = new Float32Array(ffn);
  const up = new Float32Array(ffn);
  const scores = new Float32Array(capacity);

  /** The input a projection sees: fake-quantized for BitLinears when asked, raw for dense ones. */
  const inputFor = (w: Matrix, raw: Float32Array, quantized: Float32Array) => (w.dense ? raw : quantized);
  const maybeQuantize = (input: Float32Array, scratch: Float32Array) => (actQuant ? fakeQuantizeActivations(input, scratch) : input);

  let position = 0;
  return {
    get position() {
      return position;
    },
    step(token) {
      if (!Number.isInteger(token) || token < 0 || token >= vocab) fail("USAGE", { detail: `token id ${token} is outside the vocabulary (0..${vocab - 1})` });
      if (position >= capacity) fail("LIMIT_EXCEEDED", { detail: `KV cache holds ${capacity} positions (maxPositions)` });
      x.set(weights.tokenEmbd.data.subarray(token * hidden, (token + 1) * hidden));
      weights.layers.forEach((l, li) => {
        rmsNorm(x, l.attnNorm, rmsEps, normed);
        report(li, "attn_q", normed);
        report(li, "attn_k", normed);
        report(li, "attn_v", normed);
        const attnIn = maybeQuantize(normed, quantH);
        matVec(l.q, inputFor(l.q, normed, attnIn), q);
        const k = cache.keys[li]!.subarray(position * kvWidth, (position + 1) * kvWidth);
        const v = cache.values[li]!.subarray(position * kvWidth, (position + 1) * kvWidth);
        matVec(l.k, inputFor(l.k, normed, attnIn), k);
        matVec(l.v, inputFor(l.v, normed, attnIn), v);
        rope.apply(q, heads, position);
        rope.apply(k, kvHeads, position);
        attend(q, cache, li, position + 1, shape, scores, attnOut);
        if (l.attnSubNorm) rmsNorm(attnOut, l.attnSubNorm, rmsEps, attnOut);
        report(li, "attn_output", attnOut);
        matVec(l.o, l.o.dense ? attnOut : maybeQuantize(attnOut, quantO), proj);
        for (let i = 0; i < hidden; i++) x[i] = x[i]! + proj[i]!;

        rmsNorm(x, l.ffnNorm, rmsEps, normed);
        report(li, "ffn_gate", normed);
        report(li, "ffn_up", normed);
        const ffnIn = maybeQuantize(normed, quantH);
        matVec(l.gate, inputFor(l.gate, normed, ffnIn), gate);
        matVec(l.up, inputFor(l.up, normed, ffnIn), up);
        gatedActivation(activation, gate, up);
        if (l.ffnSubNorm) rmsNorm(gate, l.ffnSubNorm, rmsEps, gate);
        report(li, "ffn_down", gate);
        matVec(l.down, l.down.dense ? gate : maybeQuantize(gate, quantF), proj);
        for (let i = 0; i < hidden; i++) x[i] = x[i]! + proj[i]!;
      });
      position++;
      rmsNorm(x, weights.outputNorm, rmsEps, normed);
      return matVec(weights.output, normed, new Float32Array(vocab));
    },
  };
}

/** Logits after the last of `ids` (the distribution of the first generated token). */
export function lastLogits(model: EvalModel, ids: readonly number[], options: ForwardOptions = {}): Float32Array {
  if (ids.length === 0) fail("USAGE", { detail: "lastLogits needs at least one token" });
  const session = createSession(model, { ...options, maxPositions: options.maxPositions ?? ids.length });
  let logits: Float32Array = new Float32Array(0);
  for (const id of ids) logits = session.step(id);
  return logits;
}

/** Index of the largest value (first one on ties, like torch.argmax). */
export function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** `count` greedy (argmax) tokens after the prompt `ids`; never stops at EOS. */
export function greedy(model: EvalModel, ids: readonly number[], count: number, options: ForwardOptions = {}): number[] {
  const session = createSession(model, { ...options, maxPositions: options.maxPositions ?? ids.length + count });
  let logits: Float32Array = new Float32Array(0);
  for (const id of ids) logits = session.step(id);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const next = argmax(logits);
    out.push(next);
    if (i + 1 < count) logits = session.step(next);
  }
  return out;
}
