/**
 * target bitnet.cpp: I2_S, TL1 and TL2 files, re-read with readGguf and checked against the source
 * weights through the reference kernels: the decoded codes of every ternary tensor hash to the
 * trits transformers/torch computed (ternary_reference.json), the stored scale is the source's
 * (weight_scale for HF packed weights, the absmean of the master weights otherwise), and TL files
 * carry the tiling they were packed with in their ternpack.tl*.* KVs.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { GGML_TYPE } from "../../formats/gguf/ggml-types.js";
import { LLAMA_FTYPE } from "../../formats/gguf/ftype.js";
import type { GgufKv } from "../../formats/gguf/value-types.js";
import { getKernel, type TlParams } from "../../kernels/index.js";
import { readJson, sha256 } from "../helpers/fixtures.js";
import { model, readGgufFully, useTempDir } from "./helpers.js";

const tmp = useTempDir();

interface Linear {
  trits_int8_rowmajor_sha256: string;
  shape_out_in?: [number, number];
  unpacked_shape_out_in?: [number, number];
  absmean_torch_f32?: number;
  weight_scale_bf16?: number;
}

const linears = (name: string) => readJson("models", name, "reference", "ternary_reference.json").linears as Record<string, Linear>;

const arrayValues = (kv: GgufKv | undefined): unknown[] => (kv?.type === 9 ? Array.from(kv.value.values as ArrayLike<unknown>) : []);

/** TL tiling per tensor, as recorded in the file. */
function tlFromKvs(kv: Map<string, GgufKv>, layout: string): Map<string, TlParams & { source: string }> {
  const p = `ternpack.${layout}`;
  const names = arrayValues(kv.get(`${p}.tensors`)) as string[];
  const [bm, bk, bmm, source] = ["bm", "bk", "bmm", "source"].map((f) => arrayValues(kv.get(`${p}.${f}`)));
  return new Map(names.map((n, i) => [n, { BM: bm![i] as number, BK: bk![i] as number, bm: bmm![i] as number, source: source![i] as string }]));
}

const CASES = [
  { model: "bitnet-synth-1bitllm", layout: "i2_s", arch: "bitnet" },
  { model: "bitnet-synth-1bitllm", layout: "tl1", arch: "bitnet" },
  { model: "bitnet-synth-1bitllm", layout: "tl2", arch: "bitnet" },
  { model: "bitnet-synth-2b4t-bf16", layout: "i2_s", arch: "bitnet-b1.58" },
  { model: "bitnet-synth-2b4t-bf16", layout: "tl1", arch: "bitnet-b1.58" },
  { model: "bitnet-synth-2b4t-packed", layout: "i2_s", arch: "bitnet-b1.58" },
  { model: "bitnet-synth-2b4t-packed", layout: "tl2", arch: "bitnet-b1.58" },
] as const;

const TYPE = { i2_s: GGML_TYPE.I2_S, tl1: GGML_TYPE.TL1, tl2: GGML_TYPE.TL2 } as const;
const FTYPE = { i2_s: LLAMA_FTYPE.MOSTLY_I2_S, tl1: LLAMA_FTYPE.MOSTLY_TL1, tl2: LLAMA_FTYPE.MOSTLY_TL2 } as const;

describe("BitNet → I2_S / TL1 / TL2 (target bitnet.cpp)", () => {
  for (const c of CASES) {
    it(`${c.model} ${c.layout}: codes and scales read back equal the source's`, async () => {
      const out = join(await tmp(), `${c.model}-${c.layout}.gguf`);
      const result = await convert({ input: model(c.model), output: out, target: "bitnet.cpp", layout: c.layout, workers: 0 });
      const { gguf, data } = await readGgufFully(out);
      expect(gguf.flavor).toBe("bitnet.cpp");
      expect(gguf.kv.get("general.architecture")?.value).toBe(c.arch);
      expect(gguf.kv.get("general.file_type")?.value).toBe(FTYPE[c.layout]);
      const tl = tlFromKvs(gguf.kv, c.layout);
      const ref = linears(c.model);
      expect(Object.keys(ref)).toHaveLength(14);
      expect(tl.size).toBe(c.layout === "i2_s" ? 0 : 14);

      for (const [name, r] of Object.entries(ref)) {
        const info = gguf.tensors.find((t) => t.name === name)!;
        expect(info.type, name).toBe(TYPE[c.layout]);
        const shape = (r.shape_out_in ?? r.unpacked_shape_out_in)!;
        expect(info.dims).toEqual([shape[1], shape[0]]);
        const params = tl.get(name);
        const decoded = getKernel(c.layout).codes(data.get(name)!, shape, params);
        expect(sha256(new Uint8Array(decoded.codes.buffer)), name).toBe(r.trits_int8_rowmajor_sha256);
        expect(decoded.scales).toHaveLength(1);
        if (r.weight_scale_bf16 !== undefined) expect(decoded.scales[0], name).toBe(r.weight_scale_bf16);
        else expect(Math.abs(decoded.scales[0]! / r.absmean_torch_f32! - 1), name).toBeLessThan(2 ** -22);
        if (params) expect(result.tensors.find((t) => t.name === name)!.tl).toEqual({ params: { BM: params.BM, BK: params.BK, bm: params.bm }, source: params.source });
      }
      const others = gguf.tensors.filter((t) => !(t.name in ref));
      expect(others.map((t) => t.type)).toEqual(others.map((t) => (t.name === "token_embd.weight" ? GGML_TYPE.F16 : GGML_TYPE.F32)));
      expect(result.verified).toBe(14);
    });
  }
});
