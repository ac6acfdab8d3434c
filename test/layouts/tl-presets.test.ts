import { describe, expect, it } from "vitest";
import { tlViolations } from "../../formats/layouts/tl-constraints.js";
import { TL_PRESETS, findTlPreset, requireTlParams, resolveTlParams } from "../../formats/layouts/tl-presets.js";
import { tl1 } from "../../formats/layouts/tl1.js";
import { tl2 } from "../../formats/layouts/tl2.js";
import { expectRoundTrip, thrown } from "./tl-golden.js";

const LAYOUTS = { tl1, tl2 } as const;

/** ternary-layouts.md §2.5 (TL1, setup_env codegen arguments) and §3.7 (TL2), as [M, K, BM, BK, bm]. */
const SPEC = {
  tl1: {
    "bitnet_b1_58-large": [[1536, 4096, 256, 128, 32], [1536, 1536, 128, 64, 64], [4096, 1536, 256, 128, 32]],
    "bitnet_b1_58-3B": [[3200, 8640, 160, 64, 32], [3200, 3200, 320, 128, 64], [8640, 3200, 320, 64, 32]],
    "Llama3-8B-1.58-100B-tokens": [
      [14336, 4096, 256, 128, 32], [4096, 14336, 128, 64, 64], [1024, 4096, 256, 128, 32], [4096, 4096, 128, 64, 64],
    ],
  },
  tl2: {
    "bitnet_b1_58-large": [[1536, 4096, 256, 96, 32], [1536, 1536, 128, 192, 32], [4096, 1536, 256, 96, 32]],
    "bitnet_b1_58-3B": [[3200, 8640, 160, 96, 32], [3200, 3200, 320, 96, 32], [8640, 3200, 320, 96, 32]],
    "Llama3-8B-1.58-100B-tokens": [
      [14336, 4096, 256, 96, 32], [4096, 14336, 128, 96, 32], [1024, 4096, 256, 96, 32], [4096, 4096, 128, 96, 32],
    ],
  },
} as const;

describe("bitnet.cpp TL presets", () => {
  for (const layout of ["tl1", "tl2"] as const) {
    for (const [model, rows] of Object.entries(SPEC[layout])) {
      for (const [M, K, BM, BK, bm] of rows) {
        it(`${layout} ${model} [${M}, ${K}] → BM=${BM} BK=${BK} bm=${bm}`, () => {
          expect(findTlPreset(layout, M, K)).toEqual({ model, layout, M, K, params: { BM, BK, bm } });
          expect(resolveTlParams(layout, M, K)).toEqual({ layout, params: { BM, BK, bm }, source: `preset:${model}` });
          expect(tlViolations(layout, M, K, { BM, BK, bm })).toEqual([]);
          expect(requireTlParams(layout, M, K)).toEqual({ BM, BK, bm });
        });
      }
    }
  }

  it("holds exactly the spec's 20 presets, no shape twice per layout", () => {
    expect(TL_PRESETS).toHaveLength(20);
    const keys = new Set(TL_PRESETS.map((p) => `${p.layout} ${p.M}x${p.K}`));
    expect(keys.size).toBe(20);
  });

  it("uses the setup_env values where the Llama3-8B preset ini disagrees (TL1 [14336, 4096] bm is 32, not 64)", () => {
    expect(findTlPreset("tl1", 14336, 4096)!.params.bm).toBe(32);
    expect(findTlPreset("tl2", 4096, 1536)!.params.bm).toBe(32); // large preset ini says bmm = 64
  });

  it("has no 2B-4T shapes (setup_env reuses the 3B list)", () => {
    for (const [M, K] of [[2560, 2560], [640, 2560], [6912, 2560], [2560, 6912]] as const) {
      expect(findTlPreset("tl1", M, K)).toBeUndefined();
      expect(findTlPreset("tl2", M, K)).toBeUndefined();
    }
  });

  it("round-trips random codes through a full-size preset tiling of each layout", () => {
    expectRoundTrip(tl1, 1536, 1536, findTlPreset("tl1", 1536, 1536)!.params, 31);
    expectRoundTrip(tl2, 1536, 1536, findTlPreset("tl2", 1536, 1536)!.params, 32);
  });
});

describe("resolveTlParams", () => {
  it("lets explicit parameters win over a preset, and validates them", () => {
    const explicit = { BM: 64, BK: 64, bm: 32 };
    expect(resolveTlParams("tl1", 1536, 1536, explicit)).toEqual({ layout: "tl1", params: explicit, source: "explicit" });
    const msg = thrown(() => resolveTlParams("tl1", 1536, 1536, { BM: 100, BK: 64, bm: 32 }), "LAYOUT_UNSUPPORTED_SHAPE");
    expect(msg).toContain("M=1536 is not a multiple of BM=100");
    expect(msg).toContain("explicit");
  });

  /** The documented rule worked by hand: BM = largest of 256/160/128/64/32 dividing M, bm = 32,
   * TL1 BK = largest of 128/64/32 dividing K, TL2 BK = first of 96/192/48/24 with (K mod BK) % 32 == 0. */
  const RULE = [
    // 2B-4T
    ["tl1", 2560, 2560, 256, 128], ["tl1", 640, 2560, 160, 128], ["tl1", 6912, 2560, 256, 128], ["tl1", 2560, 6912, 256, 128],
    ["tl2", 2560, 2560, 256, 96], ["tl2", 640, 2560, 160, 96], ["tl2", 6912, 2560, 256, 96], ["tl2", 2560, 6912, 256, 96],
    // others (TL2 tails: 2048 mod 96 = 32; 336 mod 96 = 48, mod 192 = 144, mod 48 = 0;
    // 272 mod 48 = 32; 264 mod 96 = 72, mod 192 = 72, mod 48 = 24, mod 24 = 0)
    ["tl1", 96, 96, 32, 32], ["tl2", 2048, 2048, 256, 96], ["tl2", 96, 336, 32, 48], ["tl2", 64, 272, 64, 48],
    ["tl2", 64, 264, 64, 24],
  ] as const;

  for (const [layout, M, K, BM, BK] of RULE) {
    it(`rule: ${layout} [${M}, ${K}] → BM=${BM} BK=${BK} bm=32, valid and round-trips`, () => {
      const r = resolveTlParams(layout, M, K);
      expect(r).toEqual({ layout, params: { BM, BK, bm: 32 }, source: "rule" });
      expect(tlViolations(layout, M, K, r.params)).toEqual([]);
      expectRoundTrip(LAYOUTS[layout], M, K, r.params, M + K);
    });
  }

  it("fails with what it tried when no tiling exists", () => {
    const m = thrown(() => resolveTlParams("tl1", 100, 128), "LAYOUT_UNSUPPORTED_SHAPE");
    expect(m).toContain("BM ∈ {256, 160, 128, 64, 32}: none divides M=100");
    const k = thrown(() => resolveTlParams("tl1", 64, 100), "LAYOUT_UNSUPPORTED_SHAPE");
    expect(k).toContain("BK ∈ {128, 64, 32}");
    expect(k).toContain("K=100 is not a multiple of BK=128");
    const t = thrown(() => resolveTlParams("tl2", 64, 258), "LAYOUT_UNSUPPORTED_SHAPE");
    expect(t).toContain("BK ∈ {96, 192, 48, 24}");
    expect(t).toContain("pair tail");
    const both = thrown(() => resolveTlParams("tl2", 100, 200), "LAYOUT_UNSUPPORTED_SHAPE");
    expect(both).toContain("none divides M=100");
    expect(both).toContain("K=200 is below 256");
  });

  it("is never applied by the layouts themselves (no silent guessing)", () => {
    expect(resolveTlParams("tl1", 2560, 2560).source).toBe("rule");
    expect(thrown(() => tl1.check([2560, 2560]), "LAYOUT_UNSUPPORTED_SHAPE")).toContain("resolveTlParams");
    expect(thrown(() => requireTlParams("tl2", 2560, 2560), "LAYOUT_UNSUPPORTED_SHAPE")).toContain("no bitnet.cpp preset");
  });
});
