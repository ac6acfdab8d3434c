/**
 * SentencePiece `tokenizer.model` (a serialized ModelProto, sentencepiece_model.proto), reading
 * only what GGUF needs:
 *   ModelProto     1 pieces (repeated SentencePiece), 2 trainer_spec, 3 normalizer_spec
 *   SentencePiece  1 piece (string), 2 score (float, default 0), 3 type (enum, default NORMAL = 1)
 *   TrainerSpec    3 model_type (UNIGRAM 1 default, BPE 2, WORD 3, CHAR 4), 35 byte_fallback,
 *                  40 unk_id (0), 41 bos_id (1), 42 eos_id (2), 43 pad_id (−1); −1 = none
 *   NormalizerSpec 1 name, 3 add_dummy_prefix (default true)
 * The piece types use the same numbers as GGUF's token_type (NORMAL 1, UNKNOWN 2, CONTROL 3,
 * USER_DEFINED 4, UNUSED 5, BYTE 6). Proto2 defaults apply to absent fields; unknown fields are skipped.
 */
import { fail } from "../../core/errors.js";
import { ProtoReader } from "./protobuf.js";

export const SP_MODEL_TYPE = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

export interface SentencePieceModel {
  pieces: string[];
  scores: Float32Array;
  types: Int32Array;
  trainer: {
    modelType: number;
    byteFallback: boolean;
    unkId: number;
    bosId: number;
    eosId: number;
    padId: number;
  };
  normalizer: { name: string | undefined; addDummyPrefix: boolean };
}

const FILE = "tokenizer.model";

export function parseSentencePieceModel(bytes: Uint8Array): SentencePieceModel {
  const pieces: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const trainer = { modelType: SP_MODEL_TYPE.UNIGRAM as number, byteFallback: false, unkId: 0, bosId: 1, eosId: 2, padId: -1 };
  const normalizer = { name: undefined as string | undefined, addDummyPrefix: true };
  const top = new ProtoReader(bytes, FILE);
  while (top.next()) {
    if (top.field === 1) readPiece(top.message(), pieces, scores, types);
    else if (top.field === 2) readTrainer(top.message(), trainer);
    else if (top.field === 3) readNormalizer(top.message(), normalizer);
    else top.skip();
  }
  if (pieces.length === 0) fail("INVALID_CONFIG", { file: FILE, detail: "no pieces: not a SentencePiece model" });
  return { pieces, scores: Float32Array.from(scores), types: Int32Array.from(types), trainer, normalizer };
}

function readPiece(r: ProtoReader, pieces: string[], scores: number[], types: number[]): void {
  let piece: string | undefined;
  let score = 0;
  let type = 1;
  const at = r.pos;
  while (r.next()) {
    if (r.field === 1) piece = r.string();
    else if (r.field === 2) score = r.float();
    else if (r.field === 3) type = r.int32();
    else r.skip();
  }
  if (piece === undefined) fail("INVALID_CONFIG", { file: FILE, offset: at, detail: `piece ${pieces.length} has no text` });
  if (type < 1 || type > 6) fail("INVALID_CONFIG", { file: FILE, offset: at, detail: `piece ${pieces.length} has type ${type}, not 1..6` });
  pieces.push(piece);
  scores.push(score);
  types.push(type);
}

function readTrainer(r: ProtoReader, t: SentencePieceModel["trainer"]): void {
  while (r.next()) {
    switch (r.field) {
      case 3: t.modelType = r.int32(); break;
      case 35: t.byteFallback = r.bool(); break;
      case 40: t.unkId = r.int32(); break;
      case 41: t.bosId = r.int32(); break;
      case 42: t.eosId = r.int32(); break;
      case 43: t.padId = r.int32(); break;
      default: r.skip();
    }
  }
}

function readNormalizer(r: ProtoReader, n: SentencePieceModel["normalizer"]): void {
  while (r.next()) {
    if (r.field === 1) n.name = r.string();
    else if (r.field === 3) n.addDummyPrefix = r.bool();
    else r.skip();
  }
}
