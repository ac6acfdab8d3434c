/**
 * `general.*` provenance KVs in convert_hf_to_gguf.py's order (gguf.md §9, gguf-py
 * `Metadata.set_gguf_meta_model`), and base-model entries from a Hub repo id the way gguf-py
 * derives them from a model card's `base_model`.
 */
import { fail } from "../core/errors.js";
import { VERSION } from "../version.js";
import { GGUF_VALUE_TYPE as T } from "../../formats/gguf/value-types.js";
import { baseModelKey, GENERAL, type ProvenanceField } from "../../formats/gguf/keys.js";
import type { MetadataKv } from "./metadata-kv.js";

export interface BaseModelInfo {
  name?: string;
  author?: string;
  version?: string;
  organization?: string;
  url?: string;
  doi?: string;
  uuid?: string;
  repoUrl?: string;
}

/** Every field is optional; empty strings and lists are refused (GGUF files never carry them). */
export interface Provenance {
  name?: string;
  author?: string;
  version?: string;
  organization?: string;
  finetune?: string;
  basename?: string;
  description?: string;
  /** Default `ternpack <version>`. */
  quantizedBy?: string;
  /** Default: computed from the parameter count (size-label.ts). */
  sizeLabel?: string;
  license?: string;
  licenseName?: string;
  licenseLink?: string;
  url?: string;
  doi?: string;
  uuid?: string;
  repoUrl?: string;
  sourceUrl?: string;
  sourceDoi?: string;
  sourceUuid?: string;
  sourceRepoUrl?: string;
  baseModels?: readonly BaseModelInfo[];
  tags?: readonly string[];
  languages?: readonly string[];
}

type StringField = Exclude<keyof Provenance, "baseModels" | "tags" | "languages">;

const STRING_KEYS: readonly [StringField, string][] = [
  ["name", GENERAL.NAME],
  ["author", GENERAL.AUTHOR],
  ["version", GENERAL.VERSION],
  ["organization", GENERAL.ORGANIZATION],
  ["finetune", GENERAL.FINETUNE],
  ["basename", GENERAL.BASENAME],
  ["description", GENERAL.DESCRIPTION],
  ["quantizedBy", GENERAL.QUANTIZED_BY],
  ["sizeLabel", GENERAL.SIZE_LABEL],
  ["license", GENERAL.LICENSE],
  ["licenseName", GENERAL.LICENSE_NAME],
  ["licenseLink", GENERAL.LICENSE_LINK],
  ["url", GENERAL.URL],
  ["doi", GENERAL.DOI],
  ["uuid", GENERAL.UUID],
  ["repoUrl", GENERAL.REPO_URL],
  ["sourceUrl", GENERAL.SOURCE_URL],
  ["sourceDoi", GENERAL.SOURCE_DOI],
  ["sourceUuid", GENERAL.SOURCE_UUID],
  ["sourceRepoUrl", GENERAL.SOURCE_REPO_URL],
];

const BASE_MODEL_FIELDS: readonly [keyof BaseModelInfo, ProvenanceField][] = [
  ["name", "name"],
  ["author", "author"],
  ["version", "version"],
  ["organization", "organization"],
  ["url", "url"],
  ["doi", "doi"],
  ["uuid", "uuid"],
  ["repoUrl", "repo_url"],
];

function stringKv(key: string, value: string | undefined, option: string): MetadataKv[] {
  if (value === undefined) return [];
  if (value === "") fail("INVALID_VALUE", { tensor: key, detail: `${option} is empty: GGUF files carry no empty strings (leave the option out)` });
  return [{ key, type: T.STRING, value }];
}

function listKv(key: string, values: readonly string[] | undefined, option: string): MetadataKv[] {
  if (values === undefined) return [];
  if (values.length === 0) fail("INVALID_VALUE", { tensor: key, detail: `${option} is empty: GGUF files carry no empty arrays (leave the option out)` });
  return [{ key, type: T.ARRAY, value: { elementType: T.STRING, values } }];
}

/** The provenance KVs, `sizeLabel` filled in by the caller when not overridden. */
export function provenanceKvs(p: Provenance, computedSizeLabel: string): MetadataKv[] {
  const values: Provenance = { quantizedBy: `ternpack ${VERSION}`, ...p, sizeLabel: p.sizeLabel ?? computedSizeLabel };
  const kvs = STRING_KEYS.flatMap(([field, key]) => stringKv(key, values[field], field));
  const bases = p.baseModels ?? [];
  if (bases.length > 0) kvs.push({ key: GENERAL.BASE_MODEL_COUNT, type: T.UINT32, value: bases.length });
  bases.forEach((base, id) => {
    for (const [field, suffix] of BASE_MODEL_FIELDS) kvs.push(...stringKv(baseModelKey(id, suffix), base[field], `baseModels[${id}].${field}`));
  });
  kvs.push(...listKv(GENERAL.TAGS, p.tags, "tags"), ...listKv(GENERAL.LANGUAGES, p.languages, "languages"));
  return kvs;
}

const isCased = (c: string) => c.toLowerCase() !== c.toUpperCase();
const isLower = (w: string) => [...w].some(isCased) && w === w.toLowerCase();
const VERSION_OR_NUMBER = /^(v\d+(?:\.\d+)*|\d.*)$/;

/** Python's str.title(): a cased letter is upper-cased after an uncased character, lower-cased otherwise. */
function pythonTitle(w: string): string {
  let previousCased = false;
  let out = "";
  for (const c of w) {
    out += isCased(c) ? (previousCased ? c.toLowerCase() : c.toUpperCase()) : c;
    previousCased = isCased(c);
  }
  return out;
}

/** gguf-py `Metadata.id_to_title`: "bitnet-b1.58-2B-4T" → "Bitnet B1.58 2B 4T"; acronyms and versions kept. */
export function idToTitle(id: string): string {
  return id
    .trim()
    .replaceAll("-", " ")
    .split(/\s+/)
    .filter((w) => w !== "")
    .map((w) => (isLower(w) && !VERSION_OR_NUMBER.test(w) ? pythonTitle(w) : w))
    .join(" ");
}

/** A base-model entry for a Hub repo id `org/name`, as gguf-py builds it from `base_model: org/name`. */
export function baseModelFromRepoId(repoId: string): BaseModelInfo {
  const slash = repoId.indexOf("/");
  if (slash <= 0 || slash === repoId.length - 1) return { name: idToTitle(repoId) };
  const org = repoId.slice(0, slash);
  const name = repoId.slice(slash + 1);
  return { name: idToTitle(name), organization: idToTitle(org), repoUrl: `https://huggingface.co/${org}/${name}` };
}
