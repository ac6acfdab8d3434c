/**
 * What goes wrong, silently, when a converted model runs on a given runtime (models.md §7, §8):
 * the file loads but computes something other than transformers does.
 */
import { ggufArchitecture, type Activation, type GgufArch, type ModelSpec, type Runtime } from "./spec.js";

/** The FFN activation each GGUF graph hard-codes (no loader reads hidden_activation for these archs). */
const GRAPH_ACTIVATION: Record<GgufArch, Activation> = { llama: "silu", bitnet: "silu", "bitnet-b1.58": "relu2" };

const FFN: Record<Activation, string> = { silu: "SiLU(gate)·up", relu2: "relu(gate)²·up" };

export function runtimeWarnings(spec: ModelSpec, runtime: Runtime): string[] {
  const arch = ggufArchitecture(spec, runtime);
  const warnings: string[] = [];
  const graph = GRAPH_ACTIVATION[arch];
  if (graph !== spec.activation) {
    const advice =
      spec.family === "bitnet-2b4t"
        ? runtime === "llama.cpp"
          ? " (2B-4T on upstream llama.cpp: WikiText perplexity about 99.8 instead of about 17.1). Convert for bitnet.cpp instead (arch bitnet-b1.58 with I2_S)."
          : " Convert for llama.cpp instead (arch bitnet)."
        : "";
    warnings.push(
      `hidden_act is ${spec.activation} (${FFN[spec.activation]}), but ${runtime}'s ${arch} graph computes ${FFN[graph]}: the file loads, but every FFN output is wrong${advice}`,
    );
  }
  if (spec.slidingWindow !== undefined && spec.slidingWindow < spec.contextLength) {
    warnings.push(
      `sliding_window is ${spec.slidingWindow} but ${runtime}'s ${arch} graph attends over the whole context: outputs differ from transformers past ${spec.slidingWindow} tokens`,
    );
  }
  if (arch !== "llama" && runtime === "llama.cpp") {
    warnings.push(
      `llama.cpp's ${arch} graph does not apply BitNet's per-token int8 activation quantisation (TQ types use Q8_K blocks): logits differ slightly from transformers' BitNet semantics`,
    );
  }
  return warnings;
}
