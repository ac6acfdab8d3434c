/**
 * A tensor under verification: the input validated once, with its kernel, tiling, the scales the
 * layout must store and a locator for reports. Caller mistakes (unknown layout, bad shape, wrong
 * number of codes or scales, missing TL tiling) throw here; problems with the payload never do.
 */
import { fail } from "../core/errors.js";
import { requireTlParams } from "../../formats/layouts/tl-presets.js";
import { getKernel, type Kernel, type KernelName, type TlParams } from "../../kernels/index.js";
import { reservedBytes, type ReservedBytes } from "../../kernels/reserved.js";
import { Locator } from "./locate.js";
import { storedScales } from "./stored-scales.js";
import type { VerifyInput } from "./types.js";

export interface Subject {
  tensor: string;
  layout: KernelName;
  kernel: Kernel;
  shape: readonly [number, number];
  M: number;
  K: number;
  /** TL1/TL2 tiling; undefined for the other layouts. */
  tl: TlParams | undefined;
  bytes: Uint8Array;
  /** Where the kernel decodes the payload's codes (a fresh array when undefined). */
  decodeInto: Int8Array | undefined;
  /** Expected codes (the quantizer's). */
  codes: Int8Array;
  /** Expected stored scales, one per scale group of the kernel. */
  stored: Float32Array;
  groupSize: number;
  /** Payload length and reserved ranges (kernels/reserved.ts). */
  payload: ReservedBytes;
  locate: Locator;
}

export function openSubject(input: VerifyInput): Subject {
  const { name: tensor, bytes, expected } = input;
  const kernel = getKernel(input.layout.toLowerCase());
  const layout = kernel.name;
  const groupSize = kernel.groupSize(input.shape); // INVALID_SHAPE unless [M, K] of positive integers
  const [M, K] = input.shape;
  const shape = [M, K] as const;
  if (K % groupSize !== 0) {
    fail("LAYOUT_UNSUPPORTED_SHAPE", { tensor, detail: `${layout} needs the row length to be a multiple of ${groupSize}, got K=${K}` });
  }
  if (expected.codes.length !== M * K) {
    fail("SHAPE_MISMATCH", { tensor, detail: `expected.codes has ${expected.codes.length} codes, [${M}, ${K}] needs ${M * K}` });
  }
  const tl = layout === "tl1" || layout === "tl2" ? requireTlParams(layout, M, K, input.params) : undefined;
  const payload = reservedBytes(layout, shape, tl);
  return {
    tensor,
    layout,
    kernel,
    shape,
    M,
    K,
    tl,
    bytes,
    decodeInto: input.decodeInto,
    codes: expected.codes,
    stored: storedScales(layout, M, K, expected.codes, expected.scales, tensor),
    groupSize,
    payload,
    locate: new Locator(layout, M, K, payload),
  };
}
