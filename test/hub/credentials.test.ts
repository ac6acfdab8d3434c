import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tokenFilePath } from "../../src/hub/cache-dir.js";
import { DEFAULT_HUB_URL, redact, resolveHubUrl, resolveToken } from "../../src/hub/credentials.js";

describe("Hub endpoint and token", () => {
  it("takes the option, else HF_ENDPOINT, else huggingface.co, without a trailing slash", () => {
    expect(resolveHubUrl("http://127.0.0.1:9/", { HF_ENDPOINT: "https://mirror.example" })).toBe("http://127.0.0.1:9");
    expect(resolveHubUrl(undefined, { HF_ENDPOINT: "https://mirror.example/" })).toBe("https://mirror.example");
    expect(resolveHubUrl(undefined, { HF_ENDPOINT: "" })).toBe(DEFAULT_HUB_URL);
    expect(DEFAULT_HUB_URL).toBe("https://huggingface.co");
  });

  it("refuses endpoints that are not http(s) URLs or that carry credentials", () => {
    expect(() => resolveHubUrl("ftp://x", {})).toThrow(expect.objectContaining({ code: "USAGE" }));
    expect(() => resolveHubUrl("not a url", {})).toThrow(expect.objectContaining({ code: "USAGE" }));
    const e = (() => {
      try {
        resolveHubUrl("https://user:hf_secret@hub.example", {});
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e?.message).toContain("must not carry credentials");
    expect(e?.message).not.toContain("hf_secret");
  });

  it("takes the token option, else HF_TOKEN; refuses none, or one that is not a Hub token, without printing it", () => {
    expect(resolveToken("hf_a", { HF_TOKEN: "hf_b" })).toBe("hf_a");
    expect(resolveToken(undefined, { HF_TOKEN: "hf_b" })).toBe("hf_b");
    expect(() => resolveToken(undefined, { HF_TOKEN: "", HF_TOKEN_PATH: "/nonexistent/ternpack/token" })).toThrow(expect.objectContaining({ code: "HUB_AUTH" }));
    expect(() => resolveToken("ghp_secretvalue", {})).toThrow(expect.objectContaining({ code: "HUB_AUTH", message: expect.not.stringContaining("ghp_secretvalue") }));
  });

  it("falls back to the token file huggingface-cli writes: HF_TOKEN_PATH, else $HF_HOME/token", async () => {
    const home = await mkdtemp(join(tmpdir(), "ternpack-token-"));
    try {
      await writeFile(join(home, "token"), "hf_saved\n");
      expect(tokenFilePath({ HF_HOME: home })).toBe(join(home, "token"));
      expect(resolveToken(undefined, { HF_HOME: home })).toBe("hf_saved");
      expect(resolveToken(undefined, { HF_HOME: "/elsewhere", HF_TOKEN_PATH: join(home, "token") })).toBe("hf_saved");
      expect(resolveToken(undefined, { HF_HOME: home, HF_TOKEN: "hf_env" })).toBe("hf_env");
      expect(tokenFilePath({ XDG_CACHE_HOME: "/x" })).toBe("/x/huggingface/token");
      expect(() => resolveToken(undefined, { HF_HOME: join(home, "none") })).toThrow(expect.objectContaining({ code: "HUB_AUTH", message: expect.stringContaining(join(home, "none", "token")) }));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("redacts the token and its URL-encoded form", () => {
    expect(redact("a hf_x/y b hf_x%2Fy c", "hf_x/y")).toBe("a hf_*** b hf_*** c");
    expect(redact("nothing", undefined)).toBe("nothing");
  });
});
