import { defineConfig } from "tsup";

export default defineConfig({
  // pipeline-worker: the worker-thread script of the conversion pipeline (src/pipeline/worker-pool.ts
  // looks for it next to the running bundle).
  entry: { index: "src/index.ts", cli: "src/cli.ts", "pipeline-worker": "src/pipeline/worker-entry.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts" } },
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  splitting: false,
  shims: true,
});
