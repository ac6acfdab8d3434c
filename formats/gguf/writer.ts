/**
 * The GGUF writer: an explicit state machine that plans the whole file (KVs, tensor infos, exact
 * offsets) before any tensor byte is written, then streams tensor data to a ByteSink in
 * tensor-info order. It never holds tensor data.
 *
 * States, in the only order allowed:
 *   EMPTY ─addKv→ KV ─addTensorInfo→ TENSOR_INFO ─writeHeader→ HEADER ─writeTensorData→ DATA ─close→ CLOSED
 * (KV and TENSOR_INFO may be skipped). A call made in another state throws WRITER_STATE
 * "expected X, got Y". A failed sink write moves the writer to CLOSED: the output is unusable.
 *
 * Rules: keys unique; `general.architecture`, when present, must be the first KV (split shards
 * after the first carry no architecture, so it is not required); `general.alignment` must be a
 * UINT32 power of two and fixes the alignment. Offsets are the running sum of padded sizes, and
 * zero padding follows the tensor infos and every tensor, the last one included.
 */
import { fail, TernpackError } from "../../src/core/errors.js";
import type { ByteSink } from "../../src/core/atomic-file.js";
import { alignUp, isPowerOfTwo } from "./align.js";
import { ByteBuilder } from "./byte-builder.js";
import { GGML_MAX_NAME_BYTES, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION } from "./constants.js";
import { ggmlTypeInfo, type GgufFlavor } from "./ggml-types.js";
import { GENERAL } from "./keys.js";
import { checkString, encodeKv } from "./kv-encode.js";
import { tensorBytesOf } from "./tensor-bytes.js";
import { GGUF_VALUE_TYPE, type GgufKvInput, type GgufValueInputs, type GgufValueType } from "./value-types.js";

export type GgufWriterState = "EMPTY" | "KV" | "TENSOR_INFO" | "HEADER" | "DATA" | "CLOSED";

export interface GgufWriterOptions {
  /**
   * Data alignment, a power of two. If it is not 32 and the caller adds no `general.alignment`,
   * the writer adds that KV right after `general.architecture` (where gguf-py puts it). If the
   * caller adds it, the values must agree. Default: the added KV's value, else 32.
   */
  alignment?: number;
  /** Meaning of ids 36–42 for sizing; default "bitnet.cpp" (ternpack writes 36/38/39 only as I2_S/TL1/TL2). */
  flavor?: GgufFlavor;
}

export interface GgufTensorSlot {
  name: string;
  type: number;
  dims: readonly number[];
  nbytes: number;
  /** Relative to the data section. */
  offset: number;
}

export interface GgufLayout {
  alignment: number;
  /** Absolute offset of the data section (= header bytes including padding). */
  dataOffset: number;
  fileSize: number;
  tensors: readonly GgufTensorSlot[];
}

const encoder = new TextEncoder();

export class GgufWriter {
  private current: GgufWriterState = "EMPTY";
  private readonly records: { key: string; bytes: Uint8Array }[] = [];
  private readonly keys = new Set<string>();
  private kvAlignment: number | undefined;
  private readonly planned: GgufTensorSlot[] = [];
  private readonly names = new Set<string>();
  private dataBytes = 0;
  private written = 0;
  private busy = false;
  private readonly flavor: GgufFlavor;

  constructor(
    private readonly sink: ByteSink,
    private readonly options: GgufWriterOptions = {},
  ) {
    if (options.alignment !== undefined && !isPowerOfTwo(options.alignment)) {
      fail("INVALID_ALIGNMENT", { detail: `alignment option ${options.alignment} is not a power of two` });
    }
    this.flavor = options.flavor ?? "bitnet.cpp";
  }

  get state(): GgufWriterState {
    return this.current;
  }

  private expect(op: string, ...allowed: GgufWriterState[]): void {
    if (this.busy) fail("WRITER_STATE", { detail: `${op}: a previous write is still in progress` });
    if (!allowed.includes(this.current)) {
      fail("WRITER_STATE", { detail: `${op}: expected ${allowed.join(" or ")}, got ${this.current}` });
    }
  }

  /** Adds one KV (validated and encoded now; the caller's arrays are not kept). */
  addKv<T extends GgufValueType>(key: string, type: T, value: GgufValueInputs[T]): void {
    this.expect("addKv", "EMPTY", "KV");
    if (this.keys.has(key)) fail("DUPLICATE_KEY", { detail: `key '${key}' was already added` });
    const kv = { type, value } as GgufKvInput;
    if (key === GENERAL.ARCHITECTURE) {
      if (this.records.length > 0) fail("INVALID_VALUE", { detail: `general.architecture must be the first KV, not #${this.records.length}` });
      if (type !== GGUF_VALUE_TYPE.STRING) fail("INVALID_VALUE", { detail: "general.architecture must be a STRING" });
    }
    if (key === GENERAL.ALIGNMENT) this.kvAlignment = this.checkAlignmentKv(kv);
    this.records.push({ key, bytes: encodeKv(key, kv) });
    this.keys.add(key);
    this.current = "KV";
  }

  private checkAlignmentKv(kv: GgufKvInput): number {
    if (kv.type !== GGUF_VALUE_TYPE.UINT32) fail("INVALID_ALIGNMENT", { detail: "general.alignment must be a UINT32" });
    if (!isPowerOfTwo(kv.value)) fail("INVALID_ALIGNMENT", { detail: `general.alignment ${kv.value} is not a power of two` });
    const option = this.options.alignment;
    if (option !== undefined && option !== kv.value) {
      fail("INVALID_ALIGNMENT", { detail: `general.alignment ${kv.value} differs from the alignment option ${option}` });
    }
    return kv.value;
  }

  get alignment(): number {
    return this.kvAlignment ?? this.options.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  }

  /**
   * Declares the next tensor (GGUF dims, ne0 first). `nbytes` defaults to the type's size formula;
   * if given it must equal it. Returns the planned entry with its exact offset.
   */
  addTensorInfo(name: string, type: number, dims: readonly number[], nbytes?: number): GgufTensorSlot {
    this.expect("addTensorInfo", "EMPTY", "KV", "TENSOR_INFO");
    checkString(name, "tensor name");
    const nameBytes = encoder.encode(name).length;
    if (nameBytes > GGML_MAX_NAME_BYTES) {
      fail("NAME_TOO_LONG", { tensor: name, detail: `tensor name has ${nameBytes} bytes, at most ${GGML_MAX_NAME_BYTES} allowed` });
    }
    if (this.names.has(name)) fail("DUPLICATE_TENSOR", { tensor: name, detail: "the name was already added" });
    const info = ggmlTypeInfo(type, this.flavor);
    if (info === undefined) fail("INVALID_TYPE_ID", { tensor: name, detail: `type ${type} is not a ${this.flavor} ggml type` });
    let size: number;
    try {
      size = tensorBytesOf(info, dims);
    } catch (e) {
      throw e instanceof TernpackError ? e.withContext({ tensor: name }) : e;
    }
    if (nbytes !== undefined && nbytes !== size) {
      fail("TENSOR_INVALID_INFO", { tensor: name, detail: `declared ${nbytes} bytes, ${info.name} [${dims.join(", ")}] has ${size}` });
    }
    const entry: GgufTensorSlot = { name, type, dims: [...dims], nbytes: size, offset: this.dataBytes };
    this.planned.push(entry);
    this.names.add(name);
    this.dataBytes += alignUp(size, this.alignment);
    this.current = "TENSOR_INFO";
    return entry;
  }

  /** The KV records in file order, with the implied `general.alignment` inserted where gguf-py puts it. */
  private kvRecords(): Uint8Array[] {
    const records = this.records.map((r) => r.bytes);
    if (this.kvAlignment === undefined && this.alignment !== GGUF_DEFAULT_ALIGNMENT) {
      const at = this.records[0]?.key === GENERAL.ARCHITECTURE ? 1 : 0;
      records.splice(at, 0, encodeKv(GENERAL.ALIGNMENT, { type: GGUF_VALUE_TYPE.UINT32, value: this.alignment }));
    }
    return records;
  }

  private headerBytes(): Uint8Array {
    const out = new ByteBuilder();
    const records = this.kvRecords();
    out.u32(GGUF_MAGIC);
    out.u32(GGUF_VERSION);
    out.u64(this.planned.length);
    out.u64(records.length);
    for (const r of records) out.bytes(r);
    for (const t of this.planned) {
      out.string(t.name);
      out.u32(t.dims.length);
      for (const d of t.dims) out.u64(d);
      out.u32(t.type);
      out.u64(t.offset);
    }
    out.zeros(alignUp(out.length, this.alignment) - out.length);
    return out.result();
  }

  private layoutFor(header: Uint8Array): GgufLayout {
    const dataOffset = header.length;
    return { alignment: this.alignment, dataOffset, fileSize: dataOffset + this.dataBytes, tensors: [...this.planned] };
  }

  /** The file's layout as it would be written now (for plans and dry runs); changes nothing. */
  plan(): GgufLayout {
    return this.layoutFor(this.headerBytes());
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

  /** Writes header, KVs, tensor infos and the padding up to the data section. */
  async writeHeader(): Promise<GgufLayout> {
    this.expect("writeHeader", "EMPTY", "KV", "TENSOR_INFO");
    const header = this.headerBytes();
    this.current = "HEADER";
    await this.write(header);
    return this.layoutFor(header);
  }

  /** Writes the next tensor's bytes (tensor-info order) followed by its zero padding. */
  async writeTensorData(name: string, bytes: Uint8Array): Promise<void> {
    this.expect("writeTensorData", "HEADER", "DATA");
    const next = this.planned[this.written];
    if (next === undefined) fail("WRITER_STATE", { tensor: name, detail: `all ${this.planned.length} tensors are already written` });
    if (next.name !== name) fail("WRITER_STATE", { tensor: name, detail: `expected tensor '${next.name}' (#${this.written}), got '${name}'` });
    if (bytes.length !== next.nbytes) {
      fail("TENSOR_INVALID_INFO", { tensor: name, detail: `got ${bytes.length} bytes, the tensor info declares ${next.nbytes}` });
    }
    this.current = "DATA";
    await this.write(bytes);
    const pad = alignUp(bytes.length, this.alignment) - bytes.length;
    if (pad > 0) await this.write(new Uint8Array(pad));
    this.written += 1;
  }

  /** Checks that every declared tensor was written. The sink itself is closed by its owner. */
  async close(): Promise<void> {
    this.expect("close", "HEADER", "DATA");
    if (this.written !== this.planned.length) {
      fail("WRITER_STATE", { detail: `close: expected all ${this.planned.length} tensors written, got ${this.written}` });
    }
    this.current = "CLOSED";
  }
}

export function createGgufWriter(sink: ByteSink, options: GgufWriterOptions = {}): GgufWriter {
  return new GgufWriter(sink, options);
}
