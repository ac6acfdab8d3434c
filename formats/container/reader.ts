/**
 * The lazy container reader over a ByteSource: `openContainer` reads the header, the footer and the
 * manifest (checksum, then schema, then the layout rules of every entry), nothing else; blobs are
 * read on demand, their SHA-256 checked before anything uses them (CHECKSUM_MISMATCH naming the
 * tensor or side file and the blob's byte offset), then inflated when stored compressed.
 */
import { fail, TernpackError } from "../../src/core/errors.js";
import type { ByteSource } from "../../src/core/io.js";
import { getLayout } from "../layouts/registry.js";
import { sha256Bytes, sha256Hex, toHex } from "./checksum.js";
import { decompress } from "./compression.js";
import { BLOB_ALIGNMENT, FOOTER_BYTES, HEADER_BYTES } from "./constants.js";
import { checkHeader, checkMagic, decodeFooter, sameBytes } from "./framing.js";
import { parseManifest, requiredFeatures, type BlobEntry, type ContainerFileEntry, type ContainerManifest, type ContainerTensorEntry } from "./manifest.js";

export interface ContainerFile {
  readonly source: ByteSource;
  readonly manifest: ContainerManifest;
  /** Absolute offset and length of the manifest bytes. */
  readonly manifestOffset: number;
  readonly manifestLength: number;
  tensorEntry(name: string): ContainerTensorEntry;
  /** A tensor's layout bytes: checksum verified, decompressed. */
  readTensor(name: string): Promise<Uint8Array>;
  /** A side file's bytes: checksum verified, decompressed. */
  readFile(name: string): Promise<Uint8Array>;
  /** Whether the container has a side file of that name. */
  hasFile(name: string): boolean;
  /** Reads every byte between header, blobs and manifest that belongs to nothing; all must be zero. */
  checkPadding(): Promise<void>;
}

/** Bytes of padding read at a time. */
const PADDING_CHUNK = 1 << 20;

const isTensor = (b: BlobEntry): b is ContainerTensorEntry => "layout" in b;

/** Layout known, size equal to the layout's size for the shape, codebooks listed, no duplicate names. */
function checkTensorEntries(manifest: ContainerManifest, file: string): void {
  const names = new Set<string>();
  for (const t of manifest.tensors) {
    if (names.has(t.name)) fail("DUPLICATE_TENSOR", { file, tensor: t.name, detail: "the manifest lists the tensor twice" });
    names.add(t.name);
    let expected: number;
    try {
      const layout = getLayout(t.layout);
      layout.check(t.shape, t.params);
      expected = layout.bytesFor(t.shape, t.params);
    } catch (e) {
      throw e instanceof TernpackError ? e.withContext({ file, tensor: t.name }) : e;
    }
    if (t.length !== expected) fail("TENSOR_INVALID_INFO", { file, tensor: t.name, detail: `manifest length ${t.length}, ${t.layout} [${t.shape.join(", ")}] has ${expected} bytes` });
  }
  const codebooks = new Set(manifest.codebooks.map((c) => c.id));
  for (const t of manifest.tensors) {
    if (t.codebook !== undefined && !codebooks.has(t.codebook)) fail("INVALID_HEADER", { file, tensor: t.name, detail: `codebook '${t.codebook}' is not in the manifest's codebooks` });
  }
  const fileNames = new Set<string>();
  for (const f of manifest.files) {
    if (fileNames.has(f.name)) fail("DUPLICATE_KEY", { file, tensor: f.name, detail: "the manifest lists the side file twice" });
    fileNames.add(f.name);
  }
}

/** Blobs sorted by offset: aligned, inside [header end, manifest), not overlapping; raw blobs' stored length = length. */
function checkBlobRanges(blobs: readonly BlobEntry[], file: string, manifestOffset: number): BlobEntry[] {
  const sorted = [...blobs].sort((a, b) => a.offset - b.offset);
  let end = HEADER_BYTES;
  for (const b of sorted) {
    const where = { file, tensor: b.name, offset: b.offset };
    if (b.offset % BLOB_ALIGNMENT !== 0) fail("INVALID_OFFSET", { ...where, detail: `blob offset ${b.offset} is not a multiple of ${BLOB_ALIGNMENT}` });
    if (b.offset < end) fail("INVALID_OFFSET", { ...where, detail: `blob at ${b.offset} overlaps the bytes before it (which end at ${end})` });
    if (b.compression === "none" && b.storedLength !== b.length) fail("TENSOR_INVALID_INFO", { ...where, detail: `raw blob with stored length ${b.storedLength} and length ${b.length}` });
    end = b.offset + b.storedLength;
    if (end > manifestOffset) fail("OUT_OF_BOUNDS", { ...where, detail: `blob ends at ${end}, past the manifest at ${manifestOffset}` });
  }
  return sorted;
}

function missingFeatures(manifest: ContainerManifest): string[] {
  const listed = new Set(manifest.required);
  return requiredFeatures(manifest.tensors, manifest.files).filter((f) => !listed.has(f));
}

export async function openContainer(source: ByteSource): Promise<ContainerFile> {
  const file = source.name;
  if (source.size < HEADER_BYTES + FOOTER_BYTES) {
    if (source.size >= 8) checkMagic(await source.read(0, 8), file);
    fail("TRUNCATED", { file, detail: `${source.size} bytes; a container has at least ${HEADER_BYTES + FOOTER_BYTES}` });
  }
  checkHeader(await source.read(0, HEADER_BYTES), file);
  const footerAt = source.size - FOOTER_BYTES;
  const footer = decodeFooter(await source.read(footerAt, FOOTER_BYTES), file, footerAt, source.size);
  const bytes = await source.read(footer.manifestOffset, footer.manifestLength);
  const digest = sha256Bytes(bytes);
  if (!sameBytes(digest, footer.manifestSha256)) {
    fail("CHECKSUM_MISMATCH", { file, offset: footer.manifestOffset, detail: `manifest (${footer.manifestLength} bytes) has sha256 ${toHex(digest)}, the footer records ${toHex(footer.manifestSha256)}` });
  }
  const manifest = parseManifest(bytes, file, footer.manifestOffset);
  const missing = missingFeatures(manifest);
  if (missing.length > 0) fail("INVALID_HEADER", { file, detail: `the manifest uses ${missing.join(", ")} without listing it in "required"` });
  checkTensorEntries(manifest, file);
  const blobs = checkBlobRanges([...manifest.files, ...manifest.tensors], file, footer.manifestOffset);
  const tensors = new Map(manifest.tensors.map((t) => [t.name, t]));
  const files = new Map(manifest.files.map((f) => [f.name, f]));

  async function readBlob(b: BlobEntry): Promise<Uint8Array> {
    const what = isTensor(b) ? "tensor" : "side file";
    const stored = await source.read(b.offset, b.storedLength);
    const got = sha256Hex(stored);
    if (got !== b.sha256) {
      fail("CHECKSUM_MISMATCH", { file, tensor: b.name, offset: b.offset, detail: `${what} blob of ${b.storedLength} bytes at ${b.offset} has sha256 ${got}, the manifest records ${b.sha256}` });
    }
    return decompress(stored, b.compression, b.length, { file, tensor: b.name, offset: b.offset });
  }

  const tensorEntry = (name: string) => tensors.get(name) ?? fail("TENSOR_NOT_FOUND", { file, tensor: name });
  return {
    source,
    manifest,
    manifestOffset: footer.manifestOffset,
    manifestLength: footer.manifestLength,
    tensorEntry,
    readTensor: (name) => readBlob(tensorEntry(name)),
    readFile: (name) => readBlob(files.get(name) ?? fail("TENSOR_NOT_FOUND", { file, tensor: name, detail: "no side file of this name" })),
    hasFile: (name) => files.has(name),
    async checkPadding() {
      // every gap: from the header (then each blob's end) to the next blob (finally the manifest)
      const used = [...blobs.map((b) => ({ start: b.offset, end: b.offset + b.storedLength })), { start: footer.manifestOffset, end: footer.manifestOffset }];
      let at = HEADER_BYTES;
      for (const { start, end } of used) {
        // read in bounded chunks: a hostile manifest may leave gigabytes between blobs
        for (let from = at; from < start; from += PADDING_CHUNK) {
          const bad = (await source.read(from, Math.min(PADDING_CHUNK, start - from))).findIndex((x) => x !== 0);
          if (bad >= 0) fail("INVALID_OFFSET", { file, offset: from + bad, detail: `padding byte before the blob at ${start} is not zero` });
        }
        at = end;
      }
    },
  };
}
