/** Verification of packed ternary tensors through the independent reference kernels. */
export { assertVerified, verifyTensor } from "./verify-tensor.js";
export { verifyPacked } from "./verify-quantized.js";
export { probeActivations } from "./probe-activations.js";
export {
  CHECK_ORDER,
  type CheckName,
  type CheckOutcome,
  type ExpectedTernary,
  type VerifyFailure,
  type VerifyInput,
  type VerifyOptions,
  type VerifyResult,
} from "./types.js";
