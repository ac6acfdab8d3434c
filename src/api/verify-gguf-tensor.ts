/**
 * One ternary tensor of a GGUF through the verification stage (src/verify `verifyTensor`), against
 * the source model's codes and σ when there is one, else against the payload's own decoded codes
 * (then the codes/scales checks only prove that the payload decodes, and the GEMV check compares
 * the kernel's GEMV from the bytes with the dense reference over the decoded codes); plus the
 * scale-range check. Problems with this tensor become its failure; nothing here throws for them.
 */
import { isTernpackError, TernpackError } from "../core/errors.js";
import type { GgufTensorInfo } from "../../formats/gguf/index.js";
import type { GgufKv } from "../../formats/gguf/value-types.js";
import type { TlParams } from "../../formats/layouts/types.js";
import { getKernel, type DecodedCodes, type KernelName } from "../../kernels/index.js";
import { reservedBytes } from "../../kernels/reserved.js";
import { Locator } from "../verify/locate.js";
import { verifyTensor, type CheckOutcome, type ExpectedTernary, type VerifyFailure, type VerifyOptions } from "../verify/index.js";
import { checkScaleValues } from "./verify-gguf-scales.js";
import type { SourceModel, SourceTernary } from "./verify-gguf-source.js";
import { tensorTiling, type TensorTiling } from "./verify-gguf-tl.js";

/** The verifier's checks, the scale-range check, and the steps before them that can fail. */
export type GgufCheckName = "tiling" | "source" | "shape" | "codes" | "scales" | "gemv" | "reserved" | "scaleValues";

export interface GgufTensorFailure extends Omit<VerifyFailure, "check"> {
  check: GgufCheckName;
  /** Absolute file offset of the offending byte, when the failure is tied to one. */
  fileOffset?: number;
}

export interface GgufTensorResult {
  name: string;
  /** ggml type name: TQ1_0, TQ2_0, I2_S, TL1 or TL2. */
  type: string;
  layout: KernelName;
  /** [M, K]: rows (ne1·ne2·ne3) and row length (ne0). */
  shape: [number, number];
  /** What the codes and scales were compared with. */
  against: "source" | "payload";
  /** With a source: the HF tensor and how its codes were obtained. */
  source?: Pick<SourceTernary, "source" | "from" | "sigma">;
  tiling?: TensorTiling;
  ok: boolean;
  /** The checks that ran (or were skipped), by name. */
  checks: Partial<Record<GgufCheckName, CheckOutcome>>;
  /** The first failing check, with its location. */
  failure?: GgufTensorFailure;
  elapsedMs: number;
}

export interface TensorContext {
  kv: ReadonlyMap<string, GgufKv>;
  source: SourceModel | undefined;
  tl: TlParams | undefined;
  verify: VerifyOptions;
}

/** A step that could not be done: its check name and why. */
class StepFailed extends Error {
  constructor(
    readonly check: GgufCheckName,
    readonly error: TernpackError,
  ) {
    super(error.message);
  }
}

async function step<T>(check: GgufCheckName, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isTernpackError(e)) throw new StepFailed(check, e);
    throw e;
  }
}

/** The kernel's reading of the payload, or undefined when the payload itself is bad (the verifier then reports where). */
function decode(layout: KernelName, bytes: Uint8Array, shape: [number, number], tl: TlParams | undefined): DecodedCodes | undefined {
  try {
    return getKernel(layout).codes(bytes, shape, tl);
  } catch (e) {
    if (isTernpackError(e, "INVALID_CODE") || isTernpackError(e, "SHAPE_MISMATCH")) return undefined;
    throw e;
  }
}

/**
 * Without a source the payload is its own expectation. When it does not decode, any expectation
 * of the right size serves: the verifier's codes check fails on the payload before comparing.
 */
function payloadExpectation(decoded: DecodedCodes | undefined, M: number, K: number): ExpectedTernary {
  return decoded ? { codes: decoded.codes, scales: decoded.scales } : { codes: new Int8Array(M * K), scales: new Float32Array(1) };
}

/** The scale-range check as an outcome (skipped when the payload does not decode) and its failure. */
function scaleValues(layout: KernelName, decoded: DecodedCodes | undefined, shape: [number, number], tl: TlParams | undefined): { outcome: CheckOutcome; failure?: Omit<GgufTensorFailure, "fileOffset"> } {
  if (!decoded) return { outcome: { ok: false, skipped: true, detail: "not checked: the kernel could not decode the payload" } };
  const [M, K] = shape;
  const bad = checkScaleValues(layout, decoded, new Locator(layout, M, K, reservedBytes(layout, shape, tl)));
  return bad ? { outcome: { ok: false, detail: bad.message }, failure: { check: "scaleValues", ...bad } } : { outcome: { ok: true } };
}

function located(f: Omit<GgufTensorFailure, "fileOffset">, info: GgufTensorInfo): GgufTensorFailure {
  return f.byteOffset === undefined ? f : { ...f, fileOffset: info.absoluteOffset + f.byteOffset };
}

export async function verifyGgufTensor(info: GgufTensorInfo, layout: KernelName, bytes: Uint8Array, ctx: TensorContext): Promise<GgufTensorResult> {
  const start = performance.now();
  const K = info.dims[0]!;
  const M = info.dims.slice(1).reduce((a, b) => a * b, 1);
  const shape: [number, number] = [M, K];
  const result: GgufTensorResult = {
    name: info.name,
    type: info.typeName,
    layout,
    shape,
    against: ctx.source ? "source" : "payload",
    ok: false,
    checks: {},
    elapsedMs: 0,
  };
  try {
    const isTl = layout === "tl1" || layout === "tl2";
    const tiling = isTl ? await step("tiling", () => tensorTiling(layout, info.name, M, K, ctx.tl, ctx.kv)) : undefined;
    if (tiling) result.tiling = tiling;
    const src = ctx.source;
    const expected = src ? await step("source", () => src.expected(info.name, info.dims)) : undefined;
    if (expected) result.source = { source: expected.source, from: expected.from, sigma: expected.sigma };
    const decoded = await step("shape", () => decode(layout, bytes, shape, tiling?.params));
    const r = verifyTensor(
      {
        name: info.name,
        layout,
        shape,
        bytes,
        ...(tiling ? { params: { tl: tiling.params } } : {}),
        expected: expected ? { codes: expected.codes, scales: Float32Array.of(expected.sigma) } : payloadExpectation(decoded, M, K),
      },
      ctx.verify,
    );
    const scales = scaleValues(layout, decoded, shape, tiling?.params);
    result.checks = { ...r.checks, scaleValues: scales.outcome };
    const failure = r.failure ?? scales.failure;
    result.ok = failure === undefined;
    if (failure) result.failure = located(failure, info);
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
    result.checks[e.check] = { ok: false, detail: e.error.message };
    result.failure = { check: e.check, message: e.error.message };
  }
  result.elapsedMs = performance.now() - start;
  return result;
}
