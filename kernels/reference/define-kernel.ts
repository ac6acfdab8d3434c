/**
 * Builds a `Kernel` from a layout's decode-side description, so that argument checks, code
 * validation, dequantization and the float epilogue are written once for every layout.
 */
import { matrixDims, requireActivations, type Dims } from "../checks.js";
import { dequantizeCodes, gemvEpilogue } from "../scaling.js";
import type { DecodedCodes, GemvResult, Kernel, KernelName, MatrixShape, TlParams } from "../types.js";

export interface LayoutDecoder<G extends Dims> {
  name: KernelName;
  /** Elements per scale group along a row, or "row" when one scale covers the tensor. */
  scaleGroup: number | "row";
  /** Checks shape, params and payload length, then every code byte (INVALID_CODE); returns the geometry. */
  open(bytes: Uint8Array, dims: Dims, params: TlParams | undefined): G;
  /** The stored scales, bit patterns kept. */
  scales(bytes: Uint8Array, g: G): Float32Array;
  /** Writes the M × K ternary codes, row-major. */
  decode(bytes: Uint8Array, g: G, codes: Int8Array): void;
  /** Exact Σ t·q per (row, scale group), straight from the packed bytes. */
  accumulate(bytes: Uint8Array, g: G, q: Int8Array): Int32Array;
}

export function defineKernel<G extends Dims>(d: LayoutDecoder<G>): Kernel {
  const groupSize = (K: number) => (d.scaleGroup === "row" ? K : d.scaleGroup);

  function codes(bytes: Uint8Array, shape: MatrixShape, params?: TlParams): DecodedCodes {
    const g = d.open(bytes, matrixDims(shape, d.name), params);
    const out = new Int8Array(g.M * g.K);
    d.decode(bytes, g, out);
    return { codes: out, scales: d.scales(bytes, g) };
  }

  return {
    name: d.name,
    groupSize: (shape) => groupSize(matrixDims(shape, d.name).K),
    codes,
    dequantize(bytes, shape, params) {
      const { codes: c, scales } = codes(bytes, shape, params);
      return dequantizeCodes(c, scales, groupSize(shape[1]!));
    },
    gemv(bytes, shape, params, q, sx): GemvResult {
      const g = d.open(bytes, matrixDims(shape, d.name), params);
      requireActivations(q, g.K, sx, d.name);
      const acc = d.accumulate(bytes, g, q);
      const y = gemvEpilogue(acc, g.M, g.K / groupSize(g.K), sx, d.scales(bytes, g));
      return { acc, y };
    },
  };
}
