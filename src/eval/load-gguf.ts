/**
 * Loads a GGUF (as ternpack writes it) for evaluation: every tensor dequantized to float32 —
 * ternary types through the reference kernels, float/Q8_0 through the layout decoders — and, for
 * arch `llama`, attn_q/attn_k rows un-permuted back to HF order (the graph uses rotate-half RoPE).
 */
import { fail } from "../core/errors.js";
import { openFileSource } from "../core/io.js";
import { readGguf, readTensorData } from "../../formats/gguf/reader.js";
import type { GgufTensorInfo } from "../../formats/gguf/tensor-table.js";
import { getLayout } from "../../formats/layouts/index.js";
import { getKernel, hasKernel } from "../../kernels/index.js";
import { qkRowOrder } from "../model/permute.js";
import { evalConfigFromGguf, type EvalConfig } from "./config.js";
import { assembleWeights, type EvalModel, type LoadedTensor } from "./weights.js";

/** Per-tensor ternary kernels that need no tiling parameters. */
const UNTILED = new Set(["i2_s", "tq1_0", "tq2_0"]);

function dequantize(t: GgufTensorInfo, bytes: Uint8Array, shape: number[], file: string): Float32Array {
  const type = t.typeName.toLowerCase();
  if (hasKernel(type)) {
    if (!UNTILED.has(type)) fail("UNSUPPORTED_DTYPE", { tensor: t.name, file, detail: `${t.typeName} needs tiling parameters; the evaluator reads ${[...UNTILED].join(", ")}` });
    return getKernel(type).dequantize(bytes, shape);
  }
  return getLayout(type).decode(bytes, shape);
}

/** Rows moved back from llama.cpp's interleaved order to HF's rotate-half order. */
function unpermute(data: Float32Array, rows: number, heads: number, tensor: string): Float32Array {
  const order = qkRowOrder(rows, heads, tensor);
  const cols = data.length / rows;
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols, (r + 1) * cols), order[r]! * cols);
  return out;
}

function permutedHeads(name: string, arch: string, config: EvalConfig): number | undefined {
  if (arch !== "llama") return undefined;
  if (/^blk\.\d+\.attn_q\.weight$/.test(name)) return config.heads;
  if (/^blk\.\d+\.attn_k\.weight$/.test(name)) return config.kvHeads;
  return undefined;
}

/**
 * Every projection counts as a BitLinear for activation quantization (a GGUF does not record
 * modules_to_not_convert); `activationQuant` defaults to on for archs bitnet / bitnet-b1.58.
 */
export async function loadGgufModel(path: string): Promise<EvalModel> {
  const source = await openFileSource(path);
  try {
    const gguf = await readGguf(source);
    const embd = gguf.tensors.find((t) => t.name === "token_embd.weight") ?? fail("TENSOR_NOT_FOUND", { tensor: "token_embd.weight", file: path });
    const config = evalConfigFromGguf(gguf.kv, embd.dims[1] ?? 0, path);
    const archKv = gguf.kv.get("general.architecture");
    const arch = archKv?.type === 8 ? archKv.value : "";
    const tensors = new Map<string, LoadedTensor>();
    for (const t of gguf.tensors) {
      const shape = [...t.dims].reverse();
      let data = dequantize(t, await readTensorData(source, t), shape, path);
      const heads = permutedHeads(t.name, arch, config);
      if (heads !== undefined) data = unpermute(data, shape[0]!, heads, t.name);
      tensors.set(t.name, { shape, data });
    }
    return { config, weights: assembleWeights(config, (n) => tensors.get(n)) };
  } finally {
    await source.close();
  }
}
