/** The gated FFN activations: SiLU(gate)·up (Llama, 1bitLLM) and relu(gate)²·up (2B-4T). */
import type { Activation } from "../model/spec.js";

/** gate[i] ← act(gate[i]) · up[i], in place. */
export function gatedActivation(activation: Activation, gate: Float32Array, up: Float32Array): Float32Array {
  const n = gate.length;
  if (activation === "silu") {
    for (let i = 0; i < n; i++) {
      const g = gate[i]!;
      gate[i] = Math.fround(g / (1 + Math.exp(-g))) * up[i]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const r = gate[i]! > 0 ? gate[i]! : 0;
      gate[i] = Math.fround(r * r) * up[i]!;
    }
  }
  return gate;
}
