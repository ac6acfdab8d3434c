/**
 * Damage anywhere is found: every blob (first, middle and last byte), the manifest, the header, the
 * footer, the padding and truncation at every region boundary, each with the right code and, for
 * blobs, the tensor or side file named with the blob's offset.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { isTernpackError } from "../../../src/core/errors.js";
import type { ContainerFile } from "../../../formats/container/index.js";
import { allLayoutTensors, buildContainer, caught, flipped, manifestRange, open, withManifest, withManifestBytes } from "./helpers.js";

let bytes: Uint8Array;
let good: ContainerFile;

beforeAll(async () => {
  bytes = await buildContainer(allLayoutTensors());
  good = await open(bytes);
});

describe("container corruption", () => {
  it("a flipped bit in any blob (first, middle, last byte) fails its checksum, naming it and its offset; other blobs still read", async () => {
    const blobs = [...good.manifest.files, ...good.manifest.tensors];
    for (const b of blobs) {
      for (const at of [b.offset, b.offset + (b.storedLength >> 1), b.offset + b.storedLength - 1]) {
        const c = await open(flipped(bytes, at, 0x10));
        const read = () => ("layout" in b ? c.readTensor(b.name) : c.readFile(b.name));
        const e = await caught(read);
        expect(isTernpackError(e, "CHECKSUM_MISMATCH")).toBe(true);
        expect(e.tensor).toBe(b.name);
        expect(e.offset).toBe(b.offset);
        expect(e.message).toContain(b.sha256);
        const other = blobs.find((x) => x !== b && "layout" in x)!;
        expect((await c.readTensor(other.name)).length).toBe(other.length);
      }
    }
  });

  it("a flipped byte anywhere in the manifest fails the manifest checksum before parsing", async () => {
    const { offset, length } = manifestRange(bytes);
    for (const at of [offset, offset + 1, offset + (length >> 1), offset + length - 1]) {
      const e = await caught(open(flipped(bytes, at)));
      expect(isTernpackError(e, "CHECKSUM_MISMATCH")).toBe(true);
      expect(e.offset).toBe(offset);
      expect(e.message).toContain("manifest");
    }
  });

  it("a flipped byte in the footer's digest, offset or length is caught", async () => {
    const end = bytes.length - 64;
    expect((await caught(open(flipped(bytes, end + 20)))).code).toBe("CHECKSUM_MISMATCH");
    expect((await caught(open(flipped(bytes, end + 0)))).code).toBe("OUT_OF_BOUNDS");
    expect((await caught(open(flipped(bytes, end + 8)))).code).toBe("OUT_OF_BOUNDS");
    expect((await caught(open(flipped(bytes, end + 52)))).code).toBe("INVALID_HEADER");
    const huge = bytes.slice();
    new DataView(huge.buffer).setBigUint64(end + 8, 1n << 40n, true);
    expect((await caught(open(huge))).code).toBe("LIMIT_EXCEEDED");
  });

  it("bad magic, another version and non-zero reserved bytes in the header are refused with their offset", async () => {
    const magic = await caught(open(flipped(bytes, 1)));
    expect(magic.code).toBe("BAD_MAGIC");
    expect(magic.offset).toBe(0);
    const version = bytes.slice();
    version[8] = 2;
    const v = await caught(open(version));
    expect(v.code).toBe("UNSUPPORTED_VERSION");
    expect(v.message).toContain("container version 2");
    const footerVersion = bytes.slice();
    footerVersion[bytes.length - 16] = 9;
    expect((await caught(open(footerVersion))).code).toBe("UNSUPPORTED_VERSION");
    const reserved = await caught(open(flipped(bytes, 40)));
    expect(reserved.code).toBe("INVALID_HEADER");
    expect(reserved.offset).toBe(40);
    expect((await caught(open(flipped(bytes, 16)))).code).toBe("INVALID_HEADER");
    expect((await caught(open(flipped(bytes, bytes.length - 1)))).code).toBe("TRUNCATED");
  });

  it("truncation at any region boundary, or by one byte, is TRUNCATED", async () => {
    const { offset } = manifestRange(bytes);
    const cuts = [0, 7, 8, 64, 127, good.manifest.tensors[3]!.offset + 5, offset, bytes.length - 64, bytes.length - 1];
    for (const n of cuts) {
      const e = await caught(open(bytes.subarray(0, n)));
      expect(e.code, `cut at ${n}`).toBe("TRUNCATED");
    }
  });

  it("a non-zero padding byte is found by checkPadding, with its offset", async () => {
    const [a, b] = good.manifest.tensors;
    const gapAt = a!.offset + a!.storedLength;
    expect(gapAt).toBeLessThan(b!.offset);
    const damaged = await open(flipped(bytes, gapAt));
    for (const t of damaged.manifest.tensors) expect((await damaged.readTensor(t.name)).length).toBe(t.length);
    const e = await caught(damaged.checkPadding());
    expect(e.code).toBe("INVALID_OFFSET");
    expect(e.offset).toBe(gapAt);
  });

  it("a deflate stream that inflates to more or fewer bytes than the manifest says is refused, naming the file", async () => {
    const config = good.manifest.files.find((f) => f.compression === "deflate")!;
    for (const delta of [-1, 1]) {
      const damaged = await open(withManifest(bytes, (m) => (m.files.find((f: { name: string }) => f.name === config.name).length += delta)));
      const e = await caught(damaged.readFile(config.name));
      expect(e.code).toBe("TENSOR_INVALID_INFO");
      expect(e.tensor).toBe(config.name);
      expect(e.message).toContain(delta < 0 ? `more than ${config.length - 1}` : `inflates to ${config.length} bytes`);
    }
  });

  it("a gap of megabytes between blobs is read in bounded chunks and its non-zero byte found", async () => {
    // the manifest moved 3 MB further out: the gap before it is zeros except one byte near its end
    const { offset, length } = manifestRange(bytes);
    const gap = 3_000_000;
    const moved = new Uint8Array(bytes.length + gap);
    moved.set(bytes.subarray(0, offset));
    moved[offset + gap - 10] = 7;
    moved.set(bytes.subarray(offset), offset + gap);
    new DataView(moved.buffer).setBigUint64(moved.length - 64, BigInt(offset + gap), true);
    expect(manifestRange(moved)).toEqual({ offset: offset + gap, length });
    const damaged = await open(moved);
    const e = await caught(damaged.checkPadding());
    expect(e.code).toBe("INVALID_OFFSET");
    expect(e.offset).toBe(offset + gap - 10);
  });

  it("an unknown required feature is refused up front, naming it", async () => {
    const e = await caught(open(withManifest(bytes, (m) => m.required.push("layout:cb158v9"))));
    expect(e.code).toBe("UNSUPPORTED_FEATURE");
    expect(e.message).toContain('"layout:cb158v9"');
    expect(e.message).toContain("upgrade ternpack");
    const codec = await caught(open(withManifest(bytes, (m) => (m.required = [...m.required, "zstd"]))));
    expect(codec.code).toBe("UNSUPPORTED_FEATURE");
  });

  it("a manifest that uses a feature without requiring it, or breaks the schema or the layout rules, is refused", async () => {
    const cases: [(m: any) => void, string, string][] = [
      [(m) => (m.required = m.required.filter((f: string) => f !== "deflate")), "INVALID_HEADER", "deflate"],
      [(m) => (m.tensors[0].shape = [64, -1]), "INVALID_HEADER", "manifest.tensors.0.shape.1"],
      [(m) => delete m.provenance, "INVALID_HEADER", "manifest.provenance"],
      [(m) => (m.format = "other"), "INVALID_HEADER", "manifest.format"],
      [(m) => (m.tensors[1].length += 1), "TENSOR_INVALID_INFO", "has"],
      [(m) => (m.tensors[1].offset += 64), "INVALID_OFFSET", "overlaps"],
      [(m) => (m.tensors[1].offset += 1), "INVALID_OFFSET", "multiple of 64"],
      [(m) => (m.tensors[2].name = m.tensors[1].name), "DUPLICATE_TENSOR", "twice"],
      [(m) => (m.tensors[0].sha256 = "XYZ"), "INVALID_HEADER", "sha256"],
      [(m) => (m.tensors[0].codebook = "nowhere"), "INVALID_HEADER", "codebook 'nowhere'"],
      [(m) => (m.required = m.required.filter((f: string) => f !== "layout:tl2")), "INVALID_HEADER", "layout:tl2 without listing it"],
    ];
    for (const [edit, code, text] of cases) {
      const e = await caught(open(withManifest(bytes, edit)));
      expect(e.code, text).toBe(code);
      expect(e.message).toContain(text);
    }
  });

  it("manifest bytes that are not UTF-8 or not JSON are refused with their codes", async () => {
    expect((await caught(open(withManifestBytes(bytes, Uint8Array.of(0x7b, 0xff, 0x7d))))).code).toBe("INVALID_UTF8");
    expect((await caught(open(withManifestBytes(bytes, new TextEncoder().encode("{not json"))))).code).toBe("INVALID_JSON");
  });
});
