/**
 * Exhaustive single-bit corruption of a CB158 payload: each flip's outcome under the reference
 * kernel (INVALID_CODE, a different dequantized matrix bit for bit, or the same matrix: masked).
 */
import { getLayout } from "../../formats/layouts/registry.js";
import { cb158Kernel, type Cb158Section, type Cb158SectionName } from "../../kernels/reference/cb158.js";
import { TernpackError } from "../../src/core/errors.js";
import type { Cb158Case } from "../kernels/cb158-inputs.js";

export type Outcome = "invalid" | "differs" | "masked";

export interface Flip {
  byte: number;
  bit: number;
  section: Cb158SectionName;
  outcome: Outcome;
  offset?: number;
}

/** The `width`-bit LSB-first field at bit `bit` of the stream starting at byte `start`. */
export function bitsOf(bytes: Uint8Array, start: number, bit: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v |= ((bytes[start + ((bit + i) >> 3)]! >> ((bit + i) & 7)) & 1) << i;
  return v;
}

export function flipAll(c: Cb158Case, sections: Cb158Section[]): Flip[] {
  const original = new Uint32Array(getLayout("cb158").decode(c.bytes, c.shape).buffer);
  const flips: Flip[] = [];
  const bytes = c.bytes.slice();
  for (let byte = 0; byte < bytes.length; byte++) {
    const section = sections.find((s) => byte >= s.start && byte < s.end)!.name;
    for (let bit = 0; bit < 8; bit++) {
      bytes[byte]! ^= 1 << bit;
      try {
        const w = new Uint32Array(cb158Kernel.dequantize(bytes, c.shape).buffer);
        flips.push({ byte, bit, section, outcome: w.some((x, i) => x !== original[i]) ? "differs" : "masked" });
      } catch (e) {
        if (!(e instanceof TernpackError) || e.code !== "INVALID_CODE") throw e;
        flips.push({ byte, bit, section, outcome: "invalid", offset: e.offset });
      }
      bytes[byte]! ^= 1 << bit;
    }
  }
  return flips;
}
