/**
 * `inspect` of a ternpack container: the manifest (validated and checksummed on open; no blob is
 * read): tensors with layout, shape, offset, sizes stored and decoded, side files, provenance.
 */
import { withFileSource } from "../core/io.js";
import { openContainer } from "../../formats/container/index.js";
import { bitsPerWeight, getLayout } from "../../formats/layouts/index.js";
import type { InspectReport, MetadataValue } from "./inspect.js";

/** Nested JSON flattened to dotted keys ("provenance.method"), arrays of scalars kept. */
function flatten(prefix: string, value: unknown, out: Record<string, MetadataValue>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else if (value !== null && value !== undefined) out[prefix] = Array.isArray(value) ? value.map((v) => (typeof v === "object" ? JSON.stringify(v) : v)) : (value as MetadataValue);
}

export async function inspectContainer(path: string): Promise<InspectReport> {
  return withFileSource(path, async (file) => {
    const c = await openContainer(file);
    const m = c.manifest;
    const metadata: Record<string, MetadataValue> = {};
    flatten("provenance", m.provenance, metadata);
    flatten("model", m.model, metadata);
    return {
      format: "tpk",
      file: path,
      header: {
        version: m.version,
        required: m.required,
        manifestOffset: c.manifestOffset,
        manifestBytes: c.manifestLength,
        fileSize: file.size,
        files: m.files.map((f) => `${f.name} (${f.role}, ${f.length} bytes${f.compression === "none" ? "" : `, ${f.compression} ${f.storedLength}`})`),
        codebooks: m.codebooks.map((b) => `${b.id} (${b.layout}, ${b.storage})`),
      },
      metadata,
      tensors: m.tensors.map((t) => ({
        name: t.name,
        type: t.layout.toUpperCase(),
        shape: [...t.shape],
        offset: t.offset,
        nbytes: t.length,
        bitsPerWeight: bitsPerWeight(getLayout(t.layout), t.shape, t.params),
        storedBytes: t.storedLength,
        compression: t.compression,
      })),
    };
  });
}
