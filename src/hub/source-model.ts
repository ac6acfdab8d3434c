/**
 * What a card says about the model a conversion came from, read locally: its Hub repo id and
 * commit (from a cached repo id, or a path inside a hub cache snapshot), the license fields of its
 * own model card, and the weight_scale convention of its config.json (BitNet checkpoints).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseModelConfigText } from "../model/config.js";
import { describeWeightScaleConvention } from "../quant/weight-scale.js";
import type { Environment } from "./cache-dir.js";
import { readModelCard, type Scalar } from "./front-matter.js";
import { locateModel } from "./hf-cache.js";

export interface SourceInfo {
  /** The local folder. */
  path: string;
  repoId?: string;
  /** The revision asked for and the commit it is. */
  revision?: string;
  commit?: string;
  /** license, license_name, license_link from the source's README.md front matter, when set. */
  license: { key: string; value: Scalar }[];
  /** The source's weight_scale rule (describeWeightScaleConvention), for packed BitNet checkpoints. */
  weightScale?: string;
}

const SNAPSHOT = /(?:^|[\\/])models--([\w.-]+?)--([\w.-]+)[\\/]snapshots[\\/]([0-9a-f]{40})[\\/]?$/;
const LICENSE_KEYS = ["license", "license_name", "license_link"] as const;

async function optionalText(path: string): Promise<string | undefined> {
  return readFile(path, "utf8").catch(() => undefined);
}

export async function describeSource(source: string, options: { revision?: string; env?: Environment } = {}): Promise<SourceInfo> {
  const where = await locateModel(source, options);
  const info: SourceInfo = { path: where.path, license: [] };
  if (where.kind === "hf-cache") Object.assign(info, { repoId: where.repoId, revision: where.revision, commit: where.commit });
  else {
    const m = SNAPSHOT.exec(where.path);
    if (m) Object.assign(info, { repoId: `${m[1]}/${m[2]}`, commit: m[3] });
  }
  const card = await optionalText(join(where.path, "README.md"));
  if (card !== undefined) {
    const { entries } = readModelCard(card);
    for (const key of LICENSE_KEYS) {
      const v = entries.find((e) => e.key === key)?.value;
      if (v !== undefined && v !== null && typeof v !== "object") info.license.push({ key, value: v });
    }
  }
  const config = await optionalText(join(where.path, "config.json"));
  const quantization = config === undefined ? undefined : parseModelConfigText(config, { file: join(where.path, "config.json") }).quantization;
  if (quantization) info.weightScale = describeWeightScaleConvention(quantization.weightScale);
  return info;
}
