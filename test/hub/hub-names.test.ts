import { describe, expect, it } from "vitest";
import { fileSafeName } from "../../src/hub/hub-names.js";
import { parseShardName, shardSuffix } from "../../formats/gguf/index.js";

describe("shard names", () => {
  it("round-trips llama.cpp's shard suffix", () => {
    expect(shardSuffix(1, 12)).toBe("-00002-of-00012");
    expect(parseShardName("/o/m-TQ2_0-00002-of-00012.gguf")).toEqual({ stem: "/o/m-TQ2_0", index: 1, count: 12, ext: ".gguf" });
    expect(parseShardName("/o/m-TQ2_0.gguf")).toBeUndefined();
  });

  it("makes model names safe for file names", () => {
    expect(fileSafeName(" Bitnet b1.58 (2B)/4T ")).toBe("Bitnet-b1.58-2B-4T");
    expect(() => fileSafeName("///")).toThrow(expect.objectContaining({ code: "USAGE" }));
  });
});
