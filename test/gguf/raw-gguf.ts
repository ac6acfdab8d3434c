/**
 * Test-side GGUF construction byte by byte with DataView, independent of the writer under test,
 * so malformed files can be built field by field. Plus small in-memory sink/source helpers.
 */
import type { ByteSource } from "../../src/core/io.js";
import { bufferSource } from "../../src/core/io.js";

const enc = new TextEncoder();

/** Little-endian field writer that remembers named positions (`mark`). */
export class Raw {
  private bytes: number[] = [];
  readonly marks = new Map<string, number>();

  get length(): number {
    return this.bytes.length;
  }
  mark(name: string): this {
    this.marks.set(name, this.bytes.length);
    return this;
  }
  private put(size: number, set: (v: DataView) => void): this {
    const v = new DataView(new ArrayBuffer(size));
    set(v);
    for (let i = 0; i < size; i++) this.bytes.push(v.getUint8(i));
    return this;
  }
  u8(x: number): this { return this.put(1, (v) => v.setUint8(0, x)); }
  i8(x: number): this { return this.put(1, (v) => v.setInt8(0, x)); }
  u16(x: number): this { return this.put(2, (v) => v.setUint16(0, x, true)); }
  i16(x: number): this { return this.put(2, (v) => v.setInt16(0, x, true)); }
  u32(x: number): this { return this.put(4, (v) => v.setUint32(0, x, true)); }
  i32(x: number): this { return this.put(4, (v) => v.setInt32(0, x, true)); }
  f32(x: number): this { return this.put(4, (v) => v.setFloat32(0, x, true)); }
  f64(x: number): this { return this.put(8, (v) => v.setFloat64(0, x, true)); }
  u64(x: number | bigint): this { return this.put(8, (v) => v.setBigUint64(0, BigInt(x), true)); }
  i64(x: bigint): this { return this.put(8, (v) => v.setBigInt64(0, x, true)); }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i] as number);
    return this;
  }
  /** GGUF string: u64 length (overridable, to lie about it) + UTF-8 bytes. */
  str(s: string | Uint8Array, declaredLength?: number | bigint): this {
    const b = typeof s === "string" ? enc.encode(s) : s;
    return this.u64(declaredLength ?? b.length).raw(b);
  }
  zerosTo(multiple: number): this {
    while (this.bytes.length % multiple !== 0) this.bytes.push(0);
    return this;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface RawKv {
  key: string;
  /** Writes value type + value. */
  value: (r: Raw) => void;
}

export interface RawTensor {
  name: string | Uint8Array;
  dims: (number | bigint)[];
  type: number;
  offset: number | bigint;
  /** Overrides the n_dims field (defaults to dims.length). */
  nDims?: number;
}

export interface RawSpec {
  magic?: number[];
  version?: number;
  tensorCount?: number | bigint;
  kvCount?: number | bigint;
  kvs: RawKv[];
  tensors: RawTensor[];
  alignment?: number;
  /** Bytes of the data section (zeros). */
  dataBytes: number;
}

export const kvString = (key: string, s: string): RawKv => ({ key, value: (r) => r.u32(8).str(s) });
export const kvU32 = (key: string, x: number): RawKv => ({ key, value: (r) => r.u32(4).u32(x) });

/** Builds the file; marks: `counts`, `kv<i>`, `tensor<i>`, `data`. */
export function rawGguf(spec: RawSpec): { bytes: Uint8Array; marks: Map<string, number> } {
  const r = new Raw();
  r.raw(spec.magic ?? [0x47, 0x47, 0x55, 0x46]).u32(spec.version ?? 3);
  r.mark("counts").u64(spec.tensorCount ?? spec.tensors.length).u64(spec.kvCount ?? spec.kvs.length);
  spec.kvs.forEach((kv, i) => {
    r.mark(`kv${i}`).str(kv.key);
    kv.value(r);
  });
  spec.tensors.forEach((t, i) => {
    r.mark(`tensor${i}`).str(t.name).u32(t.nDims ?? t.dims.length);
    t.dims.forEach((d) => r.u64(d));
    r.u32(t.type).u64(t.offset);
  });
  r.mark("infosEnd").zerosTo(spec.alignment ?? 32).mark("data");
  for (let i = 0; i < spec.dataBytes; i++) r.u8(0);
  return { bytes: r.build(), marks: r.marks };
}

/**
 * The well-formed control: 2 KVs, 3 tensors (F32 [16] = 64 B at 0, TQ1_0 [256] = 54 B at 64,
 * F16 [16] = 32 B at 128), 160 data bytes.
 */
export function controlSpec(): RawSpec {
  return {
    kvs: [kvString("general.architecture", "test"), kvString("general.name", "control")],
    tensors: [
      { name: "a", dims: [16], type: 0, offset: 0 },
      { name: "b", dims: [256], type: 34, offset: 64 },
      { name: "c", dims: [16], type: 1, offset: 128 },
    ],
    dataBytes: 160,
  };
}


/** A buffer source that records the largest single read it was asked for. */
export function countingSource(bytes: Uint8Array, name = "<counted>"): ByteSource & { largestRead: number } {
  const inner = bufferSource(bytes, name);
  const src = {
    name,
    size: bytes.length,
    largestRead: 0,
    async read(offset: number, length: number) {
      src.largestRead = Math.max(src.largestRead, length);
      return inner.read(offset, length);
    },
    close: () => inner.close(),
  };
  return src;
}

export { memorySink } from "../../src/core/memory-sink.js";
