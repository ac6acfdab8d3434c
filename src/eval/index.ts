/** The reference evaluator: float32 forward pass (llama, bitnet, bitnet-b1.58), loaders, tokenizer, NLL. */
export { evalConfigFromGguf, evalConfigFromSpec, type EvalConfig } from "./config.js";
export type { EvalModel, LayerWeights, Matrix, ModelWeights, TensorGetter } from "./weights.js";
export { assembleWeights } from "./weights.js";
export { loadSafetensorsModel, type LoadSafetensorsOptions } from "./load-safetensors.js";
export { loadGgufModel } from "./load-gguf.js";
export { argmax, createSession, greedy, lastLogits, type ForwardOptions, type Session } from "./forward.js";
export { negativeLogLikelihood, tokenNll, type NllResult } from "./nll.js";
export { BpeTokenizer, type EncodeOptions } from "./tokenizer.js";
export { compareModels, greedyAgreement, type CompareOptions, type CompareResult } from "./compare.js";
export { collectModelImatrix, type CalibrateOptions } from "./calibrate.js";
export { loadEvalModel } from "./model-file.js";
export { tokenWindows, type ScoringProtocol } from "./windows.js";
export { TokenStats, summarizeTokenStats } from "./logit-stats.js";
