/**
 * Choosing how to read ggml type ids 36–42, which upstream llama.cpp and Microsoft's bitnet.cpp
 * fork assign differently (gguf.md §4.3).
 *
 * Rule for `flavor: "auto"` (the reader's default):
 * 1. No tensor uses an id >= 36: the question does not arise; the file is read as upstream.
 * 2. `general.architecture` is one bitnet.cpp's converters write (`BITNET_CPP_ARCHITECTURES`):
 *    the tensors are validated with bitnet.cpp's meanings and sizes (I2_S/TL1/TL2 formulas). If
 *    that fully succeeds (types known, exact offsets, inside the file) the file is bitnet.cpp.
 *    Otherwise the upstream reading is tried; if that fails too, the bitnet.cpp error is thrown.
 * 3. Any other architecture: upstream.
 * The id alone never decides, and nothing is guessed silently: the chosen flavor is returned.
 */
import { TernpackError } from "../../src/core/errors.js";
import { FIRST_CONTEXT_DEPENDENT_TYPE, type GgufFlavor } from "./ggml-types.js";
import { buildTensorTable, type GgufTensorInfo, type RawTensorInfo, type TensorTableContext } from "./tensor-table.js";

export type FlavorOption = GgufFlavor | "auto";

/** Architectures written by bitnet.cpp's converters (`llama` for Llama3-8B-1.58 and Falcon). */
export const BITNET_CPP_ARCHITECTURES: readonly string[] = ["bitnet", "bitnet-b1.58", "bitnet-25", "llama"];

export interface ResolvedTensors {
  flavor: GgufFlavor;
  tensors: GgufTensorInfo[];
}

export function resolveTensors(
  raw: readonly RawTensorInfo[],
  option: FlavorOption,
  architecture: string | undefined,
  ctx: TensorTableContext,
): ResolvedTensors {
  if (option !== "auto") return { flavor: option, tensors: buildTensorTable(raw, option, ctx) };
  const contextDependent = raw.some((t) => t.type >= FIRST_CONTEXT_DEPENDENT_TYPE);
  if (!contextDependent || architecture === undefined || !BITNET_CPP_ARCHITECTURES.includes(architecture)) {
    return { flavor: "upstream", tensors: buildTensorTable(raw, "upstream", ctx) };
  }
  try {
    return { flavor: "bitnet.cpp", tensors: buildTensorTable(raw, "bitnet.cpp", ctx) };
  } catch (bitnetError) {
    if (!(bitnetError instanceof TernpackError)) throw bitnetError;
    try {
      return { flavor: "upstream", tensors: buildTensorTable(raw, "upstream", ctx) };
    } catch {
      throw bitnetError;
    }
  }
}
