/**
 * The KVs of a converted file: the model's metadata (ggufMetadata: general.*, {arch}.*, tokenizer,
 * general.quantization_version last) plus, for TL1/TL2 files, the tiling each tensor was packed
 * with. A TL file does not record its tiling and decodes only with the configuration that wrote
 * it, so ternpack stores it as parallel arrays, one entry per TL tensor in file order, named after
 * bitnet.cpp's kernel_config.ini fields:
 *   ternpack.<tl1|tl2>.tensors  ARRAY STRING  tensor names
 *   ternpack.<tl1|tl2>.bm       ARRAY UINT32  BM (rows per tile)
 *   ternpack.<tl1|tl2>.bk       ARRAY UINT32  BK (columns per tile)
 *   ternpack.<tl1|tl2>.bmm      ARRAY UINT32  bm (rows per sub-tile)
 *   ternpack.<tl1|tl2>.source   ARRAY STRING  "explicit" | "preset:<model>" | "rule"
 * Files of method "cb158" (CB158 tensors exported as F16 of their reconstruction) record:
 *   ternpack.cb158.bpw            FLOAT32       target bits per weight
 *   ternpack.cb158.export         STRING        "dequantized-f16": the tensors hold Ŵ, not CB158 bytes
 *   ternpack.cb158.importance     STRING        "imatrix:<file name>" | "calib:<file name>" | "flat"
 *   ternpack.cb158.tensors        ARRAY STRING  the CB158 tensors, in file order
 *   ternpack.cb158.effective_bpw  ARRAY FLOAT32 per tensor: 8 · CB158 packed bytes / weights (every stored bit)
 * They come just before general.quantization_version; runtimes ignore unknown keys.
 */
import { GENERAL } from "../../formats/gguf/keys.js";
import type { TlParams } from "../../formats/layouts/types.js";
import { GGUF_VALUE_TYPE as T, type GgufArrayInput } from "../../formats/gguf/value-types.js";
import { ggufMetadata } from "../model/gguf-metadata.js";
import type { MetadataKv } from "../model/metadata-kv.js";
import { idToTitle, type Provenance } from "../model/provenance.js";
import type { ResolvedOptions } from "./options.js";
import { folderName, type ModelSource } from "./source.js";

export interface TlRecord {
  tensor: string;
  layout: string;
  params: TlParams;
  source: string;
}

export interface Cb158Record {
  bpw: number;
  /** "imatrix:<file name>", "calib:<file name>" or "flat". */
  importance: string;
  tensors: readonly { tensor: string; effectiveBpw: number }[];
}

export interface MetadataInputs {
  parameterCount: number;
  provenance: Provenance | undefined;
  tl: readonly TlRecord[];
  cb158?: Cb158Record;
}

const arrayKv = (key: string, value: GgufArrayInput): MetadataKv => ({ key, type: T.ARRAY, value });

/** The `ternpack.tl*.*` KVs for the TL tensors of a file (none when there are none). */
export function tlKvs(records: readonly TlRecord[]): MetadataKv[] {
  if (records.length === 0) return [];
  const prefix = `ternpack.${records[0]!.layout}`;
  const u32s = (f: (r: TlRecord) => number): GgufArrayInput => ({ elementType: T.UINT32, values: records.map(f) });
  const strings = (f: (r: TlRecord) => string): GgufArrayInput => ({ elementType: T.STRING, values: records.map(f) });
  return [
    arrayKv(`${prefix}.tensors`, strings((r) => r.tensor)),
    arrayKv(`${prefix}.bm`, u32s((r) => r.params.BM)),
    arrayKv(`${prefix}.bk`, u32s((r) => r.params.BK)),
    arrayKv(`${prefix}.bmm`, u32s((r) => r.params.bm)),
    arrayKv(`${prefix}.source`, strings((r) => r.source)),
  ];
}

/** The `ternpack.cb158.*` KVs (none for other methods). */
export function cb158Kvs(record: Cb158Record | undefined): MetadataKv[] {
  if (!record) return [];
  return [
    { key: "ternpack.cb158.bpw", type: T.FLOAT32, value: record.bpw },
    { key: "ternpack.cb158.export", type: T.STRING, value: "dequantized-f16" },
    { key: "ternpack.cb158.importance", type: T.STRING, value: record.importance },
    arrayKv("ternpack.cb158.tensors", { elementType: T.STRING, values: record.tensors.map((r) => r.tensor) }),
    arrayKv("ternpack.cb158.effective_bpw", { elementType: T.FLOAT32, values: record.tensors.map((r) => r.effectiveBpw) }),
  ];
}

export function conversionMetadata(source: ModelSource, o: ResolvedOptions, inputs: MetadataInputs): MetadataKv[] {
  const kvs = ggufMetadata(source.spec, {
    name: idToTitle(folderName(source)),
    ...inputs.provenance,
    runtime: o.target,
    fileType: o.fileType,
    parameterCount: inputs.parameterCount,
    tokenizer: source.tokenizer.kv,
  });
  const ours = [...tlKvs(inputs.tl), ...cb158Kvs(inputs.cb158)];
  const last = kvs.length - 1;
  if (kvs[last]?.key !== GENERAL.QUANTIZATION_VERSION) return [...kvs, ...ours];
  return [...kvs.slice(0, last), ...ours, kvs[last]!];
}
