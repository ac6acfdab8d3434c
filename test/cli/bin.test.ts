/** The built command as users run it (`npx ternpack` → dist/cli.js, built by `npm install`'s prepare step). */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixturePath } from "../helpers/fixtures.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

describe("dist/cli.js", () => {
  it("exists: npm install builds it (prepare)", () => {
    expect(existsSync(CLI), "dist/cli.js is missing: run `npm install` (its prepare step builds dist/)").toBe(true);
  });

  it("runs inspect --json on the bundled model and exits 0", () => {
    const out = execFileSync(process.execPath, [CLI, "inspect", fixturePath("tinystories-656k", "model.safetensors"), "--json"], {
      encoding: "utf8",
    });
    const doc = JSON.parse(out);
    expect(doc.format).toBe("safetensors");
    expect(doc.tensors).toHaveLength(20);
  });

  it("exits 1 with the error code on stderr for a bad file, and 2 for bad usage", () => {
    const bad = spawnSync(process.execPath, [CLI, "inspect", fixturePath("safetensors", "malformed", "trailing_bytes.safetensors")], {
      encoding: "utf8",
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("INCOMPLETE_BUFFER");
    expect(bad.stdout).toBe("");
    const usage = spawnSync(process.execPath, [CLI, "frobnicate"], { encoding: "utf8" });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("unknown command 'frobnicate'");
  });
});
