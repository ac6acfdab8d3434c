/**
 * `quantization_config.modules_to_not_convert`: modules transformers leaves as dense nn.Linear.
 * transformers 5's `should_convert_module` skips a module when its dotted name starts with an
 * entry (regex match at the start) or ends with it; entries are matched literally here, which is
 * the same for the plain module names checkpoints use ("lm_head", "model.layers.0.mlp.down_proj").
 */

/** `model.layers.0.mlp.down_proj` for `model.layers.0.mlp.down_proj.weight`. */
export function moduleOf(tensor: string): string {
  return tensor.endsWith(".weight") ? tensor.slice(0, -".weight".length) : tensor;
}

/** The entry of `modulesToNotConvert` that keeps `tensor`'s module dense, if any. */
export function denseModuleEntry(tensor: string, modulesToNotConvert: readonly string[]): string | undefined {
  const module = moduleOf(tensor);
  return modulesToNotConvert.find((entry) => entry !== "" && (module.startsWith(entry) || module.endsWith(entry)));
}
