/** Shape arithmetic shared by the quantizers. */
import { fail } from "../core/errors.js";

/** Element count of a shape; throws INVALID_SHAPE on a dimension that is not a safe integer ≥ 0. */
export function shapeSize(shape: readonly number[], tensor?: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail("INVALID_SHAPE", { tensor, detail: `dimension ${d} in [${shape.join(", ")}]` });
    n *= d;
  }
  return n;
}
