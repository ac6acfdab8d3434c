/**
 * Split output (gguf.md §8): llama.cpp's naming, split.no / split.count / split.tensors.count with
 * llama.cpp's types, all KVs in the first shard only, whole tensors per shard, and the same tensor
 * bytes as the single file.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convert } from "../../src/api/convert.js";
import { alignUp } from "../../formats/gguf/align.js";
import { GGUF_VALUE_TYPE } from "../../formats/gguf/value-types.js";
import { hashOf, listDir, model, readGgufFully, summarizeKv, useTempDir } from "./helpers.js";

const tmp = useTempDir();
const MAX = 200_000;

describe("split output", () => {
  it("1bitLLM TQ2_0 in shards of at most 200 kB of tensor data", async () => {
    const dir = await tmp();
    const single = join(dir, "single.gguf");
    await convert({ input: model("bitnet-synth-1bitllm"), output: single, workers: 0 });
    const result = await convert({ input: model("bitnet-synth-1bitllm"), output: join(dir, "m.gguf"), splitMaxBytes: MAX, workers: 0 });
    const n = result.files.length;
    expect(n).toBeGreaterThan(2);
    const names = result.files.map((f) => f.slice(dir.length + 1));
    expect(names).toEqual(names.map((_, i) => `m-${String(i + 1).padStart(5, "0")}-of-${String(n).padStart(5, "0")}.gguf`));
    expect(await listDir(dir)).toEqual([...names, "single.gguf"].sort());

    const whole = await readGgufFully(single);
    const seen: string[] = [];
    for (const [i, file] of result.files.entries()) {
      const { gguf, data } = await readGgufFully(file);
      const kv = [...gguf.kv].map(([k, v]) => [k, summarizeKv(v)] as const);
      const split = [
        ["split.no", { type: "UINT16", value: i }],
        ["split.count", { type: "UINT16", value: n }],
        ["split.tensors.count", { type: "INT32", value: 24 }],
      ];
      const modelKvs = i === 0 ? [...whole.gguf.kv].map(([k, v]) => [k, summarizeKv(v)] as const) : [];
      expect(kv).toEqual([...modelKvs, ...split]);
      expect(gguf.kv.get("split.no")?.type).toBe(GGUF_VALUE_TYPE.UINT16);
      const padded = gguf.tensors.reduce((s, t) => s + alignUp(t.nbytes, 32), 0);
      if (gguf.tensors.length > 1) expect(padded).toBeLessThanOrEqual(MAX);
      for (const t of gguf.tensors) {
        expect(hashOf(data.get(t.name)!), t.name).toBe(hashOf(whole.data.get(t.name)!));
        seen.push(t.name);
      }
    }
    expect(seen).toEqual(whole.gguf.tensors.map((t) => t.name));
    expect(result.plan.shards.map((s) => s.path)).toEqual(result.files);
  });

  it("a limit the whole model fits in gives one shard named -00001-of-00001", async () => {
    const dir = await tmp();
    const result = await convert({ input: model("bitnet-synth-1bitllm"), output: join(dir, "m.gguf"), splitMaxBytes: 1 << 30, workers: 0 });
    expect(await listDir(dir)).toEqual(["m-00001-of-00001.gguf"]);
    const { gguf } = await readGgufFully(result.files[0]!);
    expect(gguf.kv.get("split.count")?.value).toBe(1);
    expect(gguf.kv.get("split.tensors.count")?.value).toBe(24);
  });
});
