/**
 * The quantize step of a CB158 tensor (method "cb158"): quantizeCb158 at the planned bpw with the
 * job's importance vector, pack, then decode the packed bytes and require the decode to equal the
 * quantizer's reconstruction bit for bit (VERIFY_FAILED otherwise). The job leaves with the
 * reconstruction as its values, which the pack step writes as F16 (the dequantized export), and
 * with the checked CB158 bytes, which the container writer stores.
 *
 * The decoder is the independent cb158 reference kernel (kernels/reference/cb158.ts), written from
 * the layout's spec and sharing no code with the packer.
 */
import { fail } from "../core/errors.js";
import { packCb158 } from "../../formats/layouts/cb158-pack.js";
import { cb158Kernel } from "../../kernels/index.js";
import { quantizeCb158 } from "../quant/cb158/index.js";
import { cb158TensorReport, type Cb158TensorReport } from "./cb158-report.js";
import type { TensorJob } from "./types.js";

const DECODER: { decode: (bytes: Uint8Array, shape: [number, number]) => Float32Array; kind: Cb158TensorReport["decodedWith"] } = {
  decode: (bytes, shape) => cb158Kernel.dequantize(bytes, shape),
  kind: "kernel",
};

/** Index of the first element whose float32 bits differ (−1 when identical, NaN payloads included). */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** `original`: the tensor's float weights (for HF-packed sources, σ·t, the weights they stand for). */
export function cb158QuantizeJob(job: TensorJob, original: Float32Array | undefined): TensorJob {
  const t = job.tensor;
  const plan = t.cb158 ?? fail("USAGE", { tensor: t.name, detail: "not a CB158 tensor" });
  if (!original) fail("USAGE", { tensor: t.name, detail: "the cb158 step needs float values; run the map stage first" });
  if (plan.importance !== "flat" && !job.importance) fail("USAGE", { tensor: t.name, detail: `the cb158 step needs the tensor's importance vector (${plan.importance})` });
  const result = quantizeCb158(original, t.shape, { bpw: plan.bpw, codebook: plan.codebook, importance: job.importance, tensor: t.name });
  const packed = packCb158(result.tensor);
  if (packed.length !== plan.packedBytes) fail("TENSOR_INVALID_INFO", { tensor: t.name, detail: `CB158 packed ${packed.length} bytes, the plan has ${plan.packedBytes}` });
  const decoded = DECODER.decode(packed, [t.shape[0]!, t.shape[1]!]);
  const at = firstBitDifference(decoded, result.reconstruction);
  if (at >= 0) {
    fail("VERIFY_FAILED", {
      tensor: t.name,
      detail: `CB158 decode (${DECODER.kind}) differs from the quantizer's reconstruction at element ${at}: ${decoded[at]} vs ${result.reconstruction[at]}`,
    });
  }
  const cb158 = cb158TensorReport({
    original,
    result,
    packedBytes: packed.length,
    targetBpw: plan.bpw,
    importance: job.importance,
    importanceKind: plan.importance,
    decodedWith: DECODER.kind,
  });
  return { tensor: t, values: result.reconstruction, cb158, cb158Bytes: packed };
}
