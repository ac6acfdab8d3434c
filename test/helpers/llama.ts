/**
 * llama.cpp as a test oracle, through node-llama-cpp (installed into .oracles/ by
 * scripts/install-oracles.mjs, which `npm test` runs first). CPU only, never builds from source.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const ENTRY = fileURLToPath(new URL("../../.oracles/node_modules/node-llama-cpp/dist/index.js", import.meta.url));

// node-llama-cpp lives outside the project's node_modules, so its types are not visible here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type NodeLlamaCpp = any;
let llamaPromise: Promise<any> | undefined;

async function nodeLlamaCpp(): Promise<NodeLlamaCpp> {
  if (!existsSync(ENTRY)) throw new Error("node-llama-cpp is not installed: run `node scripts/install-oracles.mjs` (npm test does)");
  return (await import(pathToFileURL(ENTRY).href)) as NodeLlamaCpp;
}

export async function getLlama(): Promise<any> {
  llamaPromise ??= nodeLlamaCpp().then((m) => m.getLlama({ gpu: false, build: "never", logLevel: m.LlamaLogLevel.error }));
  return llamaPromise;
}

export interface Oracle {
  tokenize(text: string): number[];
  /** Greedy continuation of `promptIds` (BOS included by the caller), `n` tokens. */
  greedy(promptIds: number[], n: number): Promise<number[]>;
  /** Logits after the last prompt token. */
  lastLogits(promptIds: number[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Loads a GGUF in llama.cpp (context 512, 1 thread, as the shared references were recorded). */
export async function loadOracle(path: string): Promise<Oracle> {
  const llama = await getLlama();
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: 512, threads: 1, sequences: 1 });
  const sequence = context.getSequence();
  return {
    tokenize: (text) => Array.from(model.tokenize(text, false) as number[]),
    async greedy(promptIds, n) {
      await sequence.clearHistory();
      const out: number[] = [];
      for await (const token of sequence.evaluate(promptIds, { temperature: 0 })) {
        out.push(token);
        if (out.length >= n) break;
      }
      return out;
    },
    async lastLogits(promptIds) {
      await sequence.clearHistory();
      const res = await sequence.controlledEvaluate(
        promptIds.map((t, i) => (i === promptIds.length - 1 ? [t, { generateNext: { logits: true } }] : t)),
      );
      const last = res[res.length - 1];
      return Float32Array.from(last.next.logits);
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}
