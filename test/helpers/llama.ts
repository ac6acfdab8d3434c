/**
 * llama.cpp as a test oracle, through node-llama-cpp (installed into .oracles/ by
 * scripts/install-oracles.mjs, which `npm test` runs first). CPU only, never builds from source.
 * Set up the way the shared references were recorded (models README, "node-llama-cpp"):
 * context 512, 1 thread, greedy = `sequence.evaluate(ids, {temperature: 0})`, logits through
 * `controlledEvaluate(…, {generateNext: {logits: true}})`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const ENTRY = fileURLToPath(new URL("../../.oracles/node_modules/node-llama-cpp/dist/index.js", import.meta.url));

// node-llama-cpp lives outside the project's node_modules, so its types are not visible here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Untyped = any;
let llamaPromise: Promise<Untyped> | undefined;

async function nodeLlamaCpp(): Promise<Untyped> {
  if (!existsSync(ENTRY)) throw new Error("node-llama-cpp is not installed: run `node scripts/install-oracles.mjs` (npm test does)");
  return (await import(pathToFileURL(ENTRY).href)) as Untyped;
}

/** The process-wide llama.cpp instance (CPU backend, prebuilt binary). */
export async function getLlama(): Promise<Untyped> {
  llamaPromise ??= nodeLlamaCpp().then((m) => m.getLlama({ gpu: false, build: "never", logLevel: m.LlamaLogLevel.error }));
  return llamaPromise;
}

export interface Oracle {
  /** llama.cpp's tokenization of `text` (special-token text not parsed, no BOS). */
  tokenize(text: string): number[];
  /** `tokenize(text)` with BOS prepended when the GGUF asks for it (what a completion front end feeds the model). */
  tokenizePrompt(text: string): number[];
  /** Greedy continuation of `promptIds` (BOS included by the caller): exactly `n` tokens, EOS does not stop it. */
  greedy(promptIds: readonly number[], n: number): Promise<number[]>;
  /** Logits after the last prompt token, indexed by token id (length = vocabulary size). */
  lastLogits(promptIds: readonly number[]): Promise<Float32Array>;
  /** Logits after every token of `ids` (row i = distribution of token i + 1), one forward pass. */
  allLogits(ids: readonly number[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** node-llama-cpp gives logits as a Map token → logit sorted by logit; this puts them back in id order. */
function logitsById(byToken: Map<number, number> | undefined, position: number): Float32Array {
  if (!byToken) throw new Error(`node-llama-cpp returned no logits at position ${position}`);
  const logits = new Float32Array(byToken.size);
  for (const [token, logit] of byToken) {
    if (!(token >= 0 && token < logits.length)) throw new Error(`node-llama-cpp returned a logit for token ${token} outside 0..${logits.length - 1}`);
    logits[token] = logit;
  }
  return logits;
}

/** Loads a GGUF in llama.cpp (context 512, 1 thread, as the shared references were recorded). */
export async function loadOracle(path: string): Promise<Oracle> {
  const llama = await getLlama();
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: 512, threads: 1, sequences: 1 });
  const sequence = context.getSequence();
  const tokenize = (text: string): number[] => Array.from(model.tokenize(text, false) as number[]);
  const bos: number | null = model.tokens.bos;
  const prependsBos: boolean = model.tokens.shouldPrependBosToken;

  /** A fresh evaluation of `ids` asking for logits at the positions where `wanted(i)` holds. */
  async function logitsAt(ids: readonly number[], wanted: (i: number) => boolean): Promise<Float32Array[]> {
    await sequence.clearHistory();
    const res = await sequence.controlledEvaluate(ids.map((t, i) => (wanted(i) ? [t, { generateNext: { logits: true } }] : t)));
    const rows: Float32Array[] = [];
    for (let i = 0; i < ids.length; i++) if (wanted(i)) rows.push(logitsById(res[i]?.next?.logits, i));
    return rows;
  }

  return {
    tokenize,
    tokenizePrompt: (text) => (prependsBos && bos !== null ? [bos, ...tokenize(text)] : tokenize(text)),
    async greedy(promptIds, n) {
      await sequence.clearHistory();
      const out: number[] = [];
      for await (const token of sequence.evaluate([...promptIds], { temperature: 0, yieldEogToken: true })) {
        out.push(token as number);
        if (out.length >= n) break;
      }
      return out;
    },
    lastLogits: async (promptIds) => (await logitsAt(promptIds, (i) => i === promptIds.length - 1))[0]!,
    allLogits: (ids) => logitsAt(ids, () => true),
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}
