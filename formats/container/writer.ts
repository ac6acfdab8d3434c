/**
 * The streaming container writer: a state machine like the GGUF writer's. Every tensor is declared
 * first (name, shape, layout, parameters: checked against the layout, sizes known), then the header,
 * the side files and the tensor blobs are streamed to the sink in declared order, each at a
 * 64-byte boundary, checksummed and compressed as it passes; `close` appends the manifest and the
 * footer. Offsets of stored blobs are assigned as they are written, because a compressed blob's
 * size is known only then — which is why the manifest comes last (SPEC.md §1).
 *
 *   DECLARE ─writeHeader→ FILES ─writeTensor→ TENSORS ─close→ CLOSED
 * (writeFile only in FILES). A call in another state, a tensor out of order or of the wrong size
 * throws WRITER_STATE / TENSOR_INVALID_INFO; a failed sink write closes the writer.
 */
import type { ByteSink } from "../../src/core/atomic-file.js";
import { fail, TernpackError } from "../../src/core/errors.js";
import { getLayout } from "../layouts/registry.js";
import type { LayoutParams } from "../layouts/types.js";
import { sha256Bytes, sha256Hex } from "./checksum.js";
import { compressIfWorthIt, type StoredBlob } from "./compression.js";
import { BLOB_ALIGNMENT, CONTAINER_VERSION, MANIFEST_FORMAT } from "./constants.js";
import { encodeFooter, encodeHeader } from "./framing.js";
import { requiredFeatures, type ContainerCodebook, type ContainerFileEntry, type ContainerManifest, type ContainerModel, type ContainerProvenance, type ContainerTensorEntry } from "./manifest.js";

export type ContainerWriterState = "DECLARE" | "FILES" | "TENSORS" | "CLOSED";

export interface ContainerTensorDecl {
  name: string;
  shape: readonly number[];
  layout: string;
  params?: LayoutParams & { bpw?: number };
  codebook?: string;
  source?: string;
  /** q/k rows in llama.cpp's order (see the manifest's `permute`). */
  permute?: { heads: number };
  /** Whether deflate may be tried on this blob (default: with `compression: "all"`, every layout that is not packed ternary or CB158). */
  compress?: boolean;
}

export interface ContainerWriterOptions {
  model: ContainerModel;
  provenance: ContainerProvenance;
  /** Codebooks tensors may name; those no tensor uses are left out of the manifest. */
  codebooks?: readonly ContainerCodebook[];
  /**
   * "side-files" (default): side files are deflated where it pays, tensors are stored raw (fflate
   * deflates weights at 15–25 MB/s: a 2B model's 0.66 GB embedding would take half a minute to save
   * 8–20%); "all": float tensors too; "none": every blob raw.
   */
  compression?: "side-files" | "all" | "none";
}

interface Declared {
  entry: Omit<ContainerTensorEntry, "offset" | "storedLength" | "compression" | "sha256">;
  compress: boolean;
}

/** Packed ternary layouts and CB158: near-random bits, never worth deflating. */
export function isPackedLayout(layout: string): boolean {
  return getLayout(layout).kind === "ternary" || layout === "cb158";
}

const encoder = new TextEncoder();

export class ContainerWriter {
  private current: ContainerWriterState = "DECLARE";
  private readonly declared: Declared[] = [];
  private readonly names = new Set<string>();
  private readonly tensors: ContainerTensorEntry[] = [];
  private readonly files: ContainerFileEntry[] = [];
  private busy = false;

  constructor(
    private readonly sink: ByteSink,
    private readonly options: ContainerWriterOptions,
  ) {}

  get state(): ContainerWriterState {
    return this.current;
  }

  private expect(op: string, ...allowed: ContainerWriterState[]): void {
    if (this.busy) fail("WRITER_STATE", { detail: `${op}: a previous write is still in progress` });
    if (!allowed.includes(this.current)) fail("WRITER_STATE", { detail: `${op}: expected ${allowed.join(" or ")}, got ${this.current}` });
  }

  /** Declares the next tensor; its byte length is the layout's size for the shape and parameters. */
  declareTensor(decl: ContainerTensorDecl): number {
    this.expect("declareTensor", "DECLARE");
    if (this.names.has(decl.name)) fail("DUPLICATE_TENSOR", { tensor: decl.name, detail: "the name was already declared" });
    const layout = getLayout(decl.layout);
    const params = decl.params ?? {};
    let length: number;
    try {
      layout.check(decl.shape, params);
      length = layout.bytesFor(decl.shape, params);
    } catch (e) {
      throw e instanceof TernpackError ? e.withContext({ tensor: decl.name }) : e;
    }
    const entry = {
      name: decl.name,
      shape: [...decl.shape],
      layout: layout.name,
      params: { ...(params.tl ? { tl: { ...params.tl } } : {}), ...(params.bpw !== undefined ? { bpw: params.bpw } : {}) },
      ...(decl.codebook !== undefined ? { codebook: decl.codebook } : {}),
      ...(decl.source !== undefined ? { source: decl.source } : {}),
      ...(decl.permute !== undefined ? { permute: { heads: decl.permute.heads } } : {}),
      length,
    };
    this.declared.push({ entry, compress: decl.compress ?? (this.options.compression === "all" && !isPackedLayout(layout.name)) });
    this.names.add(decl.name);
    return length;
  }

  private async write(bytes: Uint8Array): Promise<void> {
    this.busy = true;
    try {
      await this.sink.write(bytes);
    } catch (e) {
      this.current = "CLOSED";
      throw e;
    } finally {
      this.busy = false;
    }
  }

  /** Zero padding up to the next 64-byte boundary, then the blob; returns where it starts. */
  private async writeBlob({ stored }: StoredBlob): Promise<number> {
    const pad = (BLOB_ALIGNMENT - (this.sink.position % BLOB_ALIGNMENT)) % BLOB_ALIGNMENT;
    if (pad > 0) await this.write(new Uint8Array(pad));
    const offset = this.sink.position;
    await this.write(stored);
    return offset;
  }

  private stored(raw: Uint8Array, compress: boolean): StoredBlob {
    return compress && this.options.compression !== "none" ? compressIfWorthIt(raw) : { stored: raw, compression: "none" };
  }

  async writeHeader(): Promise<void> {
    this.expect("writeHeader", "DECLARE");
    if (this.sink.position !== 0) fail("WRITER_STATE", { detail: `writeHeader: the sink is at byte ${this.sink.position}, not at the start` });
    this.current = "FILES";
    await this.write(encodeHeader());
  }

  /** A side file (config, tokenizer, ...): always a deflate candidate. */
  async writeFile(name: string, role: string, bytes: Uint8Array): Promise<void> {
    this.expect("writeFile", "FILES");
    if (this.files.some((f) => f.name === name)) fail("DUPLICATE_KEY", { tensor: name, detail: "a side file of this name was already written" });
    const blob = this.stored(bytes, true);
    const offset = await this.writeBlob(blob);
    this.files.push({ name, role, offset, length: bytes.length, storedLength: blob.stored.length, compression: blob.compression, sha256: sha256Hex(blob.stored) });
  }

  /**
   * The next declared tensor's bytes (declaration order). `codebook` names the codebook the payload
   * turned out to use, when only the bytes tell (it replaces the declared one).
   */
  async writeTensor(name: string, bytes: Uint8Array, facts: { codebook?: string } = {}): Promise<void> {
    this.expect("writeTensor", "FILES", "TENSORS");
    const next = this.declared[this.tensors.length];
    if (next === undefined) fail("WRITER_STATE", { tensor: name, detail: `all ${this.declared.length} declared tensors are already written` });
    if (next.entry.name !== name) fail("WRITER_STATE", { tensor: name, detail: `expected tensor '${next.entry.name}' (#${this.tensors.length}), got '${name}'` });
    if (bytes.length !== next.entry.length) fail("TENSOR_INVALID_INFO", { tensor: name, detail: `got ${bytes.length} bytes, ${next.entry.layout} [${next.entry.shape.join(", ")}] has ${next.entry.length}` });
    this.current = "TENSORS";
    const blob = this.stored(bytes, next.compress);
    const offset = await this.writeBlob(blob);
    const codebook = facts.codebook ?? next.entry.codebook;
    this.tensors.push({ ...next.entry, ...(codebook !== undefined ? { codebook } : {}), offset, storedLength: blob.stored.length, compression: blob.compression, sha256: sha256Hex(blob.stored) });
  }

  /** The codebooks of the options that some tensor uses; a tensor naming an unknown one is a USAGE error. */
  private usedCodebooks(): ContainerCodebook[] {
    const known = new Map((this.options.codebooks ?? []).map((c) => [c.id, c]));
    const used = new Set(this.tensors.flatMap((t) => (t.codebook === undefined ? [] : [t.codebook])));
    for (const id of used) if (!known.has(id)) fail("USAGE", { detail: `a tensor uses codebook '${id}', which the writer options do not describe` });
    return [...known.values()].filter((c) => used.has(c.id));
  }

  /** Appends the manifest and the footer once every declared tensor is written; returns the manifest. */
  async close(): Promise<ContainerManifest> {
    this.expect("close", "FILES", "TENSORS");
    if (this.tensors.length !== this.declared.length) fail("WRITER_STATE", { detail: `close: expected all ${this.declared.length} tensors written, got ${this.tensors.length}` });
    const manifest: ContainerManifest = {
      format: MANIFEST_FORMAT,
      version: CONTAINER_VERSION,
      required: requiredFeatures(this.tensors, this.files),
      model: this.options.model,
      files: this.files,
      tensors: this.tensors,
      codebooks: this.usedCodebooks(),
      provenance: this.options.provenance,
    };
    const bytes = encoder.encode(JSON.stringify(manifest));
    const manifestOffset = this.sink.position;
    await this.write(bytes);
    await this.write(encodeFooter({ manifestOffset, manifestLength: bytes.length, manifestSha256: sha256Bytes(bytes) }));
    this.current = "CLOSED";
    return manifest;
  }
}

export function createContainerWriter(sink: ByteSink, options: ContainerWriterOptions): ContainerWriter {
  return new ContainerWriter(sink, options);
}
