import { describe, expect, it } from "vitest";
import { tq1_0Layout } from "../../formats/layouts/tq1_0.js";
import { expectError, describeTqLayout } from "./tq-suite.js";
import { expectSameBytes } from "./golden.js";

const BB = 54;
/** Spec §5 / §7: qs bytes 0x80 (v = 121), qh bytes 0x7F (v = 40·3), d = 0. */
const ZERO_BLOCK = Uint8Array.from([...Array(48).fill(0x80), ...Array(4).fill(0x7f), 0, 0]);

describeTqLayout(tq1_0Layout, ZERO_BLOCK);

/** The bytes the spec's encoder can produce: ceil(v·256/243) for qs, with v = 3w for qh. */
const QS_WRITTEN = new Map<number, number>(); // byte -> the 5-digit value v it stores
for (let v = 0; v < 243; v++) QS_WRITTEN.set(Math.ceil((v * 256) / 243), v);
const QH_WRITTEN = new Set<number>();
for (let w = 0; w < 81; w++) QH_WRITTEN.add(Math.ceil((3 * w * 256) / 243));

/** Two all-zero blocks with scale 1.0 (f16 0x3C00), so unpack has a non-trivial scale to return. */
function twoBlocks(): Uint8Array {
  const bytes = new Uint8Array(2 * BB);
  for (let b = 0; b < 2; b++) {
    bytes.set(ZERO_BLOCK, b * BB);
    bytes[b * BB + 53] = 0x3c;
  }
  return bytes;
}

describe("tq1_0: byte validation", () => {
  it("the encoder writes 243 of the 256 qs byte values and 81 qh values", () => {
    expect(QS_WRITTEN.size).toBe(243);
    expect(QH_WRITTEN.size).toBe(81);
  });

  it("unpack rejects every qs byte the encoder never writes, naming block and byte", () => {
    const never = [...Array(256).keys()].filter((b) => !QS_WRITTEN.has(b));
    expect(never.length).toBe(13);
    for (const b of never) {
      for (const pos of [3, 40]) {
        const bytes = twoBlocks();
        bytes[BB + pos] = b;
        const hex = b.toString(16).padStart(2, "0");
        const where = new RegExp(`block 1, byte ${pos} of the block \\(tensor byte ${BB + pos}\\) = 0x${hex}`);
        expectError(() => tq1_0Layout.unpack(bytes, [512]), "INVALID_CODE", where);
      }
    }
  });

  it("unpack accepts every written qs byte, decodes its base-3 digits first-most-significant, and repacks it", () => {
    for (const [b, v] of QS_WRITTEN) {
      const bytes = twoBlocks();
      bytes[7] = b; // elements 7, 39, 71, 103, 135
      bytes[32 + 5] = b; // elements 165, 181, 197, 213, 229
      const t = tq1_0Layout.unpack(bytes, [2, 256]);
      const digits = [Math.floor(v / 81) % 3, Math.floor(v / 27) % 3, Math.floor(v / 9) % 3, Math.floor(v / 3) % 3, v % 3];
      expect([7, 39, 71, 103, 135].map((e) => t.codes[e]! + 1)).toEqual(digits);
      expect([165, 181, 197, 213, 229].map((e) => t.codes[e]! + 1)).toEqual(digits);
      expect(Array.from(t.scales)).toEqual([1, 1]);
      expectSameBytes(tq1_0Layout.pack(t), bytes, BB, `qs byte 0x${b.toString(16)}`);
    }
  });

  it("unpack accepts exactly the qh bytes the encoder writes", () => {
    for (let b = 0; b < 256; b++) {
      const bytes = twoBlocks();
      bytes[48 + 2] = b; // elements 242, 246, 250, 254
      if (QH_WRITTEN.has(b)) {
        const t = tq1_0Layout.unpack(bytes, [512]);
        const w = [...Array(81).keys()].find((k) => Math.ceil((3 * k * 256) / 243) === b)!;
        const digits = [Math.floor(w / 27) % 3, Math.floor(w / 9) % 3, Math.floor(w / 3) % 3, w % 3];
        expect([242, 246, 250, 254].map((e) => t.codes[e]! + 1)).toEqual(digits);
        expectSameBytes(tq1_0Layout.pack(t), bytes, BB, `qh byte 0x${b.toString(16)}`);
      } else {
        expectError(() => tq1_0Layout.unpack(bytes, [512]), "INVALID_CODE", /block 0, byte 50 of the block/);
      }
    }
  });
});
