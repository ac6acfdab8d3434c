/**
 * tokenizer.model (SentencePiece protobuf): the real bitllama2c 512-piece model checked against
 * its llama2.c tokenizer.bin export (the same pieces and scores written by sentencepiece itself:
 * per token f32 score, u32 length, bytes, with "▁" as " " and ids 1/2 renamed "\n<s>\n" /
 * "\n</s>\n"), and hand-encoded models for the fields and the edge cases.
 */
import { describe, expect, it } from "vitest";
import { TOKENIZER } from "../../../formats/gguf/keys.js";
import { isTernpackError } from "../../../src/core/errors.js";
import { parseSentencePieceModel, tokenizerMetadata } from "../../../src/model/tokenizer/index.js";
import { arrayValues, manifestFile } from "./helpers.js";
import { spmStyleTokenizer } from "./hand-built.js";
import { fBytes, fString, fVarint, model, piece } from "./proto-bytes.js";

const spBytes = manifestFile("tokenizers/bitllama2c-ternary/tokenizer.model");

/** llama2.c's tokenizer.bin: u32 max token length, then (f32 score, u32 length, bytes) per token. */
function readLlama2cTokenizer(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const texts: string[] = [];
  const scoreBits: number[] = [];
  let off = 4;
  while (off < bytes.length) {
    scoreBits.push(view.getUint32(off, true));
    const len = view.getUint32(off + 4, true);
    texts.push(new TextDecoder().decode(bytes.subarray(off + 8, off + 8 + len)));
    off += 8 + len;
  }
  return { maxLength: view.getUint32(0, true), texts, scoreBits };
}

describe("the bitllama2c tokenizer.model", () => {
  const sp = parseSentencePieceModel(spBytes);
  const bin = readLlama2cTokenizer(manifestFile("tokenizers/bitllama2c-ternary/tokenizer.bin"));

  it("has the pieces and bit-exact scores of its tokenizer.bin export", () => {
    expect(sp.pieces).toHaveLength(bin.texts.length);
    expect(sp.pieces).toHaveLength(512);
    const exported = sp.pieces.map((p, i) => (i === 1 ? "\n<s>\n" : i === 2 ? "\n</s>\n" : p.replaceAll("\u2581", " ")));
    expect(exported).toEqual(bin.texts);
    expect(Array.from(new Uint32Array(sp.scores.buffer))).toEqual(bin.scoreBits);
    expect(Math.max(...exported.map((t) => new TextEncoder().encode(t).length))).toBe(bin.maxLength);
  });

  it("keeps a −0 score as −0 (piece '▁t')", () => {
    expect(bin.scoreBits[259]).toBe(0x80000000);
    expect(Object.is(sp.scores[259], -0)).toBe(true);
  });

  it("reads the trainer and normalizer specs (BPE, byte fallback, identity, proto defaults)", () => {
    expect(sp.trainer).toEqual({ modelType: 2, byteFallback: true, unkId: 0, bosId: 1, eosId: 2, padId: -1 });
    expect(sp.normalizer).toEqual({ name: "identity", addDummyPrefix: true });
  });

  it("becomes a llama vocabulary with the pieces' own scores and types", () => {
    const { kv, warnings } = tokenizerMetadata({ "tokenizer.model": spBytes });
    expect(warnings).toEqual([]);
    expect(kv.map((k) => k.key)).toEqual([
      TOKENIZER.MODEL, TOKENIZER.PRE, TOKENIZER.TOKENS, TOKENIZER.SCORES, TOKENIZER.TOKEN_TYPE,
      TOKENIZER.BOS_ID, TOKENIZER.EOS_ID, TOKENIZER.UNK_ID,
    ]);
    expect(kv.slice(0, 2).map((k) => k.value)).toEqual(["llama", "default"]);
    expect(kv.slice(5).map((k) => k.value)).toEqual([1, 2, 0]);
    const types = Array.from(arrayValues(kv, TOKENIZER.TOKEN_TYPE) as Int32Array);
    const tokens = arrayValues(kv, TOKENIZER.TOKENS) as string[];
    expect(types.slice(0, 4)).toEqual([2, 3, 3, 6]);
    expect(types.filter((t) => t === 6)).toHaveLength(256);
    expect(tokens.slice(3, 259)).toEqual(Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`));
    expect(types.slice(259).every((t) => t === 1)).toBe(true);
    const scores = arrayValues(kv, TOKENIZER.SCORES) as Float32Array;
    expect(Array.from(new Uint32Array(scores.buffer, scores.byteOffset, scores.length))).toEqual(bin.scoreBits);
  });
});

describe("hand-encoded tokenizer.model files", () => {
  const trainer = (...fields: number[][]) => fBytes(2, fields.flat());
  const normalizer = (...fields: number[][]) => fBytes(3, fields.flat());

  it("reads every piece type, explicit ids (negative pad_id as a 10-byte varint) and skips unknown fields", () => {
    const bytes = model(
      piece("<pad>", 0, 3), piece("<unk>", 0, 2), piece("<s>", 0, 3), piece("</s>", 0, 3),
      piece("\u2581hi", -1.5), piece("<mask>", 0, 4), piece("<0x41>", 0, 6), piece("old", -2, 5),
      fString(9, "unknown top-level field"),
      trainer(fVarint(3, 1), fVarint(40, 1), fVarint(41, 2), fVarint(42, 3), fVarint(43, -1), fVarint(99, 7)),
      normalizer(fString(1, "identity"), fVarint(3, 0)),
    );
    expect(bytes.length).toBeGreaterThan(0);
    const sp = parseSentencePieceModel(bytes);
    expect(sp.pieces).toEqual(["<pad>", "<unk>", "<s>", "</s>", "\u2581hi", "<mask>", "<0x41>", "old"]);
    expect(Array.from(sp.types)).toEqual([3, 2, 3, 3, 1, 4, 6, 5]);
    expect(Array.from(sp.scores)).toEqual([0, 0, 0, 0, -1.5, 0, 0, -2]);
    expect(sp.trainer).toEqual({ modelType: 1, byteFallback: false, unkId: 1, bosId: 2, eosId: 3, padId: -1 });
    expect(sp.normalizer.addDummyPrefix).toBe(false);

    const { kv, warnings } = tokenizerMetadata({ "tokenizer.model": bytes, "config.json": JSON.stringify({ vocab_size: 10 }) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("UNIGRAM");
    expect(kv.map((k) => k.key).slice(5)).toEqual([TOKENIZER.BOS_ID, TOKENIZER.EOS_ID, TOKENIZER.UNK_ID, TOKENIZER.ADD_SPACE_PREFIX]);
    expect(kv.slice(5).map((k) => k.value)).toEqual([2, 3, 1, false]);
    // USER_DEFINED keeps type 4 and is written with " " for "▁"; holes up to vocab_size: [PAD{id}], UNUSED, −10000.
    expect(arrayValues(kv, TOKENIZER.TOKENS)).toEqual(["<pad>", "<unk>", "<s>", "</s>", "\u2581hi", "<mask>", "<0x41>", "old", "[PAD8]", "[PAD9]"]);
    expect(Array.from(arrayValues(kv, TOKENIZER.TOKEN_TYPE) as Int32Array)).toEqual([3, 2, 3, 3, 1, 4, 6, 5, 5, 5]);
    expect(Array.from(arrayValues(kv, TOKENIZER.SCORES) as Float32Array)).toEqual([0, 0, 0, 0, -1.5, 0, 0, -2, -10000, -10000]);
  });

  it("added tokens override pieces and extend the vocabulary with score −1000", () => {
    const bytes = model(piece("<unk>", 0, 2), piece("<s>", 0, 3), piece("</s>", 0, 3), piece("\u2581a", -1), trainer(fVarint(3, 2)));
    const config = {
      added_tokens_decoder: {
        "3": { content: "<|im_start|>", special: false },
        "4": { content: "\u2581foo", special: false },
        "5": { content: "<eot>", special: true },
      },
    };
    const { kv, warnings } = tokenizerMetadata({ "tokenizer.model": bytes, "tokenizer_config.json": JSON.stringify(config) });
    expect(warnings).toEqual(['added token 3 "<|im_start|>" replaces "▁a" of tokenizer.model']);
    expect(arrayValues(kv, TOKENIZER.TOKENS)).toEqual(["<unk>", "<s>", "</s>", "<|im_start|>", " foo", "<eot>"]);
    expect(Array.from(arrayValues(kv, TOKENIZER.TOKEN_TYPE) as Int32Array)).toEqual([2, 3, 3, 3, 4, 3]);
    expect(Array.from(arrayValues(kv, TOKENIZER.SCORES) as Float32Array)).toEqual([0, 0, 0, -1000, -1000, -1000]);
  });

  it("a truncated file is TRUNCATED with the offset; a model without pieces is INVALID_CONFIG", () => {
    const bytes = model(piece("<unk>", 0, 2), piece("abc", -1));
    const cut = bytes.subarray(0, bytes.length - 3);
    expect(() => parseSentencePieceModel(cut)).toThrow(expect.objectContaining({ code: "TRUNCATED", file: "tokenizer.model" }));
    try {
      parseSentencePieceModel(cut);
    } catch (e) {
      expect(isTernpackError(e) && typeof e.offset === "number" && e.offset > 0 && e.offset < cut.length).toBe(true);
    }
    expect(() => parseSentencePieceModel(model(trainer(fVarint(3, 2))))).toThrow(expect.objectContaining({ code: "INVALID_CONFIG", detail: expect.stringContaining("no pieces") }));
  });

  it("a piece type outside 1..6 or a wrong wire type is INVALID_CONFIG", () => {
    expect(() => parseSentencePieceModel(model(piece("x", 0, 7)))).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
    expect(() => parseSentencePieceModel(model(fBytes(1, fVarint(2, 5))))).toThrow(expect.objectContaining({ code: "INVALID_CONFIG", detail: expect.stringContaining("wire type") }));
  });

  it("a tokenizer.model that is not SentencePiece falls back to tokenizer.json with a warning, or fails without one", () => {
    const tiktoken = new TextEncoder().encode("IQ== 0\nIg== 1\n");
    expect(() => tokenizerMetadata({ "tokenizer.model": tiktoken })).toThrow(expect.objectContaining({ file: "tokenizer.model" }));
    const specials = ["<unk>", "<s>", "</s>"].map((content, id) => ({ id, content, special: true }));
    const json = JSON.stringify(spmStyleTokenizer(["<unk>", "<s>", "</s>", "a", "b", "ab"], ["a b"], specials));
    const { kv, warnings } = tokenizerMetadata({ "tokenizer.model": tiktoken, "tokenizer.json": json });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^tokenizer\.model is not a SentencePiece model .*; using tokenizer\.json$/);
    expect(arrayValues(kv, TOKENIZER.TOKENS)).toEqual(["<unk>", "<s>", "</s>", "a", "b", "ab"]);
  });
});
