/** Quantizer math: absmean ternarization, already-ternary detection, HF packed BitNet weights, statistics. */
export {
  absmeanTernarize,
  fakeQuantize,
  MEAN_ABS_FLOOR,
  type AbsmeanOptions,
  type AbsmeanResult,
  type Granularity,
  type Reduction,
} from "./absmean.js";
export { shapeSize } from "./shape.js";
export { torchSumF32, torchMeanF32 } from "./torch-sum.js";
export { detectTernary, type TernaryDetection } from "./ternary-input.js";
export { packHfBitnet, unpackHfBitnet, hfPackedShape, hfPackedToTernary, type UnpackOptions } from "./hf-packed.js";
export {
  weightScaleConvention,
  describeWeightScaleConvention,
  sigmaFromWeightScale,
  type WeightScaleConvention,
  type ScaleConvention,
  type ScaleRule,
  type LinearClass,
  type QuantizationMode,
} from "./weight-scale.js";
export { ternaryStats, type TernaryStats, type TernaryStatsOptions } from "./stats.js";
export { ternarizeTensor, type CodeSource, type TensorTernary } from "./tensor-ternary.js";
