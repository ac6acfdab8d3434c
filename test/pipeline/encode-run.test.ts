import { describe, it, expect } from "vitest";
import { encodeRun } from "../../src/pipeline/encode-run.js";
import { halfRun } from "../../src/quant/float-run.js";
import { getLayout } from "../../formats/layouts/index.js";
import { decodeHalves, encodeHalves } from "../../src/core/half.js";
import { gaussianLike } from "../../src/core/prng.js";

describe("encodeRun: slabs of rows widened from 16-bit bytes give the whole tensor's bytes", () => {
  // 2,900 rows of 192: about 2 slabs of 2^18 elements and a partial one
  const shape = [2900, 192];
  const values = gaussianLike(2900 * 192, 21, 0.5);
  for (const kind of ["bf16", "f16"] as const) {
    const bytes = encodeHalves(values, kind);
    const widened = decodeHalves(bytes, kind);
    for (const name of ["f32", "f16", "bf16", "q8_0"]) {
      it(`${kind} → ${name}`, () => {
        const layout = getLayout(name);
        const whole = layout.encode(widened, shape);
        const slabs = encodeRun(layout, halfRun(bytes, kind), shape, whole.length);
        expect(slabs.length).toBe(whole.length);
        expect(Buffer.from(slabs).equals(Buffer.from(whole))).toBe(true);
      });
    }
  }

  it("a 1-D tensor is encoded in one piece", () => {
    const bytes = encodeHalves(values.subarray(0, 777), "bf16");
    const layout = getLayout("f32");
    const out = encodeRun(layout, halfRun(bytes, "bf16"), [777], 777 * 4);
    expect(Array.from(new Float32Array(out.buffer))).toEqual(Array.from(decodeHalves(bytes, "bf16")));
  });
});
