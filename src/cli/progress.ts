/** A progress bar on a terminal (cli-progress), for long conversions; silent elsewhere. */
import cliProgress from "cli-progress";
import type { ProgressEvent } from "../pipeline/types.js";
import { formatBytes } from "./table.js";

export interface ProgressRenderer {
  onProgress(e: ProgressEvent): void;
  stop(): void;
}

const silent: ProgressRenderer = { onProgress() {}, stop() {} };

/** A bar showing the current tensor, bytes, rate and ETA; only when stderr is a TTY. */
export function progressRenderer(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressRenderer {
  if (!enabled || !stream.isTTY) return silent;
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: " {bar} {percentage}% | {done}/{size} | {rate}/s | ETA {eta_formatted} | {tensor}",
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    onProgress(e) {
      const elapsed = Math.max((Date.now() - started) / 1000, 1e-3);
      const payload = {
        tensor: `${e.tensor}${e.shards > 1 ? ` (shard ${e.shard + 1}/${e.shards})` : ""}`,
        done: formatBytes(e.bytesDone),
        size: formatBytes(e.bytesTotal),
        rate: formatBytes(Math.round(e.bytesDone / elapsed)),
      };
      if (!running) {
        bar.start(e.bytesTotal, e.bytesDone, payload);
        running = true;
      } else bar.update(e.bytesDone, payload);
    },
    stop() {
      if (running) bar.stop();
    },
  };
}
