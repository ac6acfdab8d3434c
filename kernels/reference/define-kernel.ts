/**
 * Builds a `Kernel` from a layout's decode-side description, so that argument checks, code
 * validation, dequantization, the token batching and the float epilogue are written once for
 * every layout.
 */
import { fail } from "../../src/core/errors.js";
import { matrixDims, requireActivationBatch, requireActivations, type Dims } from "../checks.js";
import { laneScale, packLanes, splitLanes, tokensPerPass } from "../lanes.js";
import { dequantizeCodes, gemvEpilogue } from "../scaling.js";
import type { DecodedCodes, GemvResult, Kernel, KernelName, MatrixShape, TlParams } from "../types.js";

export interface LayoutDecoder<G extends Dims> {
  name: KernelName;
  /** Elements per scale group along a row, or "row" when one scale covers the tensor. */
  scaleGroup: number | "row";
  /**
   * Checks shape, params and payload length, then the code bytes (INVALID_CODE); returns the
   * geometry. A rule that spans areas (TL2: no sign bit on a zero triple) may instead be checked
   * by `decode` and `accumulate` while they walk the bytes, raising the same INVALID_CODE.
   */
  open(bytes: Uint8Array, dims: Dims, params: TlParams | undefined): G;
  /** The stored scales, bit patterns kept. */
  scales(bytes: Uint8Array, g: G): Float32Array;
  /** Writes the M × K ternary codes, row-major (`codes` is zero-filled and 4-byte aligned). */
  decode(bytes: Uint8Array, g: G, codes: Int8Array): void;
  /**
   * Exact Σ t·v per (row, scale group), straight from the packed bytes, for the two float64 lanes
   * of `lanes` (lanes.ts; 2K values): sums[2i + h] for accumulator i, row-major.
   */
  accumulate(bytes: Uint8Array, g: G, lanes: Float64Array): Float64Array;
}

/** The little-endian word view of the codes `decode` writes (four int8 per word; codes.length % 4 == 0). */
export function codeWords(codes: Int8Array): Uint32Array {
  return new Uint32Array(codes.buffer, codes.byteOffset, codes.length >> 2);
}

/** The first `n` codes of a caller's buffer, zeroed, as `decode` expects them. */
function codesBuffer(into: Int8Array, n: number, layout: KernelName): Int8Array {
  if (into.length < n || into.byteOffset % 4 !== 0) {
    fail("USAGE", { detail: `${layout} codes: the output buffer must hold ${n} codes from a 4-byte aligned offset, got ${into.length} at ${into.byteOffset}` });
  }
  return into.subarray(0, n).fill(0);
}

export function defineKernel<G extends Dims>(d: LayoutDecoder<G>): Kernel {
  const groupSize = (K: number) => (d.scaleGroup === "row" ? K : d.scaleGroup);

  function codes(bytes: Uint8Array, shape: MatrixShape, params?: TlParams, into?: Int8Array): DecodedCodes {
    const g = d.open(bytes, matrixDims(shape, d.name), params);
    const out = into === undefined ? new Int8Array(g.M * g.K) : codesBuffer(into, g.M * g.K, d.name);
    d.decode(bytes, g, out);
    return { codes: out, scales: d.scales(bytes, g) };
  }

  /** The accumulators of every token (q row-major tokens × K), the payload read once per pass of up to four tokens. */
  function accumulators(bytes: Uint8Array, g: G, q: Int8Array, tokens: number): Int32Array[] {
    const size = groupSize(g.K);
    const accs = Array.from({ length: tokens }, () => new Int32Array((g.M * g.K) / size));
    const S = laneScale(size);
    const lanes = new Float64Array(2 * g.K);
    for (let first = 0; first < tokens; first += tokensPerPass(S)) {
      packLanes(q, tokens, g.K, first, S, lanes);
      splitLanes(d.accumulate(bytes, g, lanes), S, first, accs);
    }
    return accs;
  }

  function results(bytes: Uint8Array, g: G, accs: Int32Array[], sx: ArrayLike<number>): GemvResult[] {
    const scales = d.scales(bytes, g);
    const groups = g.K / groupSize(g.K);
    return accs.map((acc, t) => ({ acc, y: gemvEpilogue(acc, g.M, groups, sx[t]!, scales) }));
  }

  return {
    name: d.name,
    groupSize: (shape) => groupSize(matrixDims(shape, d.name).K),
    codes,
    dequantize(bytes, shape, params) {
      const { codes: c, scales } = codes(bytes, shape, params);
      return dequantizeCodes(c, scales, groupSize(shape[1]!));
    },
    gemv(bytes, shape, params, q, sx) {
      const g = d.open(bytes, matrixDims(shape, d.name), params);
      requireActivations(q, g.K, sx, d.name);
      return results(bytes, g, accumulators(bytes, g, q, 1), [sx])[0]!;
    },
    gemvBatch(bytes, shape, params, q, sx) {
      const g = d.open(bytes, matrixDims(shape, d.name), params);
      requireActivationBatch(q, g.K, sx, d.name);
      return results(bytes, g, accumulators(bytes, g, q, sx.length), sx);
    },
  };
}
