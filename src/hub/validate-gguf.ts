/**
 * Publishing checks for one GGUF file (or split shard), on top of what the reader already refuses
 * (magic, version, type ids, tensor offsets, bounds): the architecture's `context_length` (the Hub
 * and local apps read it), the tokenizer KVs llama.cpp needs, the vocabulary matching the
 * embedding rows, the split KVs of a shard, and every ternary tensor re-verified by verifyGguf.
 */
import { stat } from "node:fs/promises";
import { fail, TernpackError } from "../core/errors.js";
import { readGgufShard } from "../../formats/gguf/split-set.js";
import { GENERAL, TOKENIZER } from "../../formats/gguf/keys.js";
import { GGUF_VALUE_TYPE as T, ggufValueTypeName } from "../../formats/gguf/value-types.js";
import type { GgufFile } from "../../formats/gguf/parse.js";
import { hasKernel } from "../../kernels/index.js";
import { verifyGguf } from "../api/verify-gguf.js";
import { ggufFacts, kvNumber, kvString } from "./gguf-facts.js";
import type { FileCheck, ValidatedFile, ValidateFileOptions } from "./validated-file.js";

const TOKEN_EMBEDDING = "token_embd.weight";
/** llama.cpp's split KVs (gguf.md §8). */
const SPLIT = { NO: "split.no", COUNT: "split.count", TENSORS: "split.tensors.count" } as const;

function bad(file: string, key: string, detail: string): never {
  return fail("INVALID_VALUE", { file, tensor: key, detail });
}

function splitOf(gguf: GgufFile, file: string): ValidatedFile["split"] {
  const [no, count, tensors] = [SPLIT.NO, SPLIT.COUNT, SPLIT.TENSORS].map((k) => kvNumber(gguf.kv, k));
  if (no === undefined && count === undefined && tensors === undefined) return undefined;
  if (no === undefined || count === undefined || tensors === undefined) bad(file, SPLIT.COUNT, "a shard needs split.no, split.count and split.tensors.count");
  if (!(count >= 1 && no >= 0 && no < count)) bad(file, SPLIT.NO, `split.no ${no} is not below split.count ${count}`);
  return { index: no, count, tensors };
}

function contextLengthCheck(gguf: GgufFile, file: string, arch: string): FileCheck {
  const key = `${arch}.context_length`;
  const kv = gguf.kv.get(key);
  if (kv === undefined) bad(file, key, "missing: llama.cpp refuses the file and the Hub shows no context length");
  if (kv.type !== T.UINT32 || !(kv.value > 0)) bad(file, key, `must be a positive UINT32, is ${ggufValueTypeName(kv.type)} ${String(kv.value)}`);
  return { name: "context_length", detail: `${key} = ${kv.value}` };
}

/** tokenizer.ggml.model and tokens, parallel arrays of the same length, merges for BPE, vocab = embedding rows. */
function tokenizerCheck(gguf: GgufFile, file: string): FileCheck {
  const model = kvString(gguf.kv, TOKENIZER.MODEL);
  if (model === undefined) bad(file, TOKENIZER.MODEL, "missing or not a STRING: runtimes cannot tokenize text with this file");
  const tokens = gguf.kv.get(TOKENIZER.TOKENS);
  if (tokens?.type !== T.ARRAY || tokens.value.elementType !== T.STRING || tokens.value.values.length === 0) {
    bad(file, TOKENIZER.TOKENS, "missing, empty or not an ARRAY of STRING");
  }
  const n = tokens.value.values.length;
  for (const key of [TOKENIZER.SCORES, TOKENIZER.TOKEN_TYPE]) {
    const kv = gguf.kv.get(key);
    if (kv === undefined) continue;
    if (kv.type !== T.ARRAY || kv.value.values.length !== n) bad(file, key, `must be an array of ${n} values, one per token`);
  }
  if (model === "gpt2" && gguf.kv.get(TOKENIZER.MERGES)?.type !== T.ARRAY) bad(file, TOKENIZER.MERGES, "a BPE (gpt2) tokenizer needs its merges");
  const embedding = gguf.tensors.find((t) => t.name === TOKEN_EMBEDDING);
  if (embedding && embedding.dims[1] !== n) {
    bad(file, TOKENIZER.TOKENS, `${n} tokens but ${TOKEN_EMBEDDING} has ${embedding.dims[1]} rows: llama.cpp refuses the file`);
  }
  return { name: "tokenizer", detail: `${model}, ${n} tokens${embedding ? `, matching the ${TOKEN_EMBEDDING} rows` : ""}` };
}

export async function validateGgufFile(path: string, options: ValidateFileOptions): Promise<ValidatedFile> {
  const size = (await stat(path).catch((cause: Error) => fail("IO_ERROR", { file: path, detail: cause.message }))).size;
  const gguf = await readGgufShard(path, options.verify?.flavor ? { flavor: options.verify.flavor } : {});
  const split = splitOf(gguf, path);
  const first = split === undefined || split.index === 0;
  const checks: FileCheck[] = [
    { name: "structure", detail: `GGUF v${gguf.version}, ${gguf.kv.size} KVs, ${gguf.tensors.length} tensors: types, offsets and bounds valid` },
  ];
  const arch = kvString(gguf.kv, GENERAL.ARCHITECTURE);
  if (first) {
    if (arch === undefined) bad(path, GENERAL.ARCHITECTURE, "missing");
    checks.push(contextLengthCheck(gguf, path, arch), tokenizerCheck(gguf, path));
  }
  if (split) checks.push({ name: "split", detail: `shard ${split.index + 1} of ${split.count}` });

  const report = await verifyGguf(path, { ...options.verify, flavor: gguf.flavor, wholeSet: false });
  const failed = report.tensors.find((t) => !t.ok);
  if (failed) {
    throw new TernpackError("VERIFY_FAILED", { file: path, tensor: failed.name, offset: failed.failure?.fileOffset, detail: failed.failure?.message });
  }
  const against = report.source ? "against the source weights" : "against their own decoded codes";
  checks.push({ name: "ternary tensors", detail: `${report.tensors.length} re-verified with the reference kernels ${against}` });

  const weights = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  const ternary = gguf.tensors.filter((t) => hasKernel(t.typeName.toLowerCase()));
  const layouts = [...new Set(ternary.map((t) => t.typeName.toLowerCase()))];
  const sum = (list: typeof gguf.tensors, f: (t: (typeof list)[number]) => number) => list.reduce((a, t) => a + f(t), 0);
  const weightCount = sum(gguf.tensors, (t) => weights(t.dims));
  const ternaryWeights = sum(ternary, (t) => weights(t.dims));
  const facts = first ? ggufFacts(gguf.kv) : undefined;
  return {
    path,
    kind: ".gguf",
    size,
    label: floatLabel(gguf),
    layouts,
    tensorCount: gguf.tensors.length,
    weightCount,
    bitsPerWeight: weightCount === 0 ? 0 : (8 * sum(gguf.tensors, (t) => t.nbytes)) / weightCount,
    ternaryBitsPerWeight: ternaryWeights === 0 ? undefined : (8 * sum(ternary, (t) => t.nbytes)) / ternaryWeights,
    ...(split ? { split } : {}),
    facts,
    checks,
  };
}

/** CB158 exports say so; else the most common type of the matrices (ternary models are labelled by their layouts). */
function floatLabel(gguf: GgufFile): string {
  const counts = new Map<string, number>();
  for (const t of gguf.tensors) if (t.dims.length >= 2) counts.set(t.typeName, (counts.get(t.typeName) ?? 0) + 1);
  const common = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? gguf.tensors[0]?.typeName ?? "F32";
  return kvString(gguf.kv, "ternpack.cb158.export") !== undefined ? `CB158-${common}` : common;
}
