/**
 * Verification of one packed ternary tensor against the quantizer's codes and scales, entirely
 * through the independent reference kernel (never the layout's unpack): (a) codes, (b) stored
 * scales, (c) GEMV on seeded probes vs the dense reference, (d) reserved bytes zero. Together they
 * make every bit of a ternpack payload matter, so any single-bit corruption is reported.
 * Payload problems (wrong length, INVALID_CODE from the kernel) become failures; caller mistakes throw.
 */
import { fail, isTernpackError, TernpackError } from "../core/errors.js";
import type { DecodedCodes } from "../../kernels/index.js";
import { checkCodes, checkReserved, checkScales } from "./checks.js";
import { checkGemv } from "./gemv-check.js";
import { openSubject, type Subject } from "./subject.js";
import { CHECK_ORDER, type CheckName, type CheckOutcome, type VerifyFailure, type VerifyInput, type VerifyOptions, type VerifyResult } from "./types.js";

const DEFAULT_SEEDS: readonly number[] = [1];
const DEFAULT_TOKENS = 3;

/** Runs one check; the kernel's INVALID_CODE verdict on the payload bytes becomes its failure. */
function guarded(check: CheckName, s: Subject, run: () => VerifyFailure | null): VerifyFailure | null {
  try {
    return run();
  } catch (e) {
    if (!isTernpackError(e, "INVALID_CODE")) throw e;
    return { check, ...(e.offset === undefined ? {} : s.locate.byte(e.offset)), message: e.message };
  }
}

/** All four checks, or only the length failure when the payload cannot even be decoded. */
function runChecks(s: Subject, seeds: readonly number[], tokens: number): Partial<Record<CheckName, VerifyFailure | null>> {
  if (s.bytes.length !== s.payload.length) {
    const message = `payload is ${s.bytes.length} bytes, ${s.layout} [${s.M}, ${s.K}] needs ${s.payload.length}`;
    return { codes: { check: "codes", message } };
  }
  const found: Partial<Record<CheckName, VerifyFailure | null>> = {};
  let decoded: DecodedCodes | undefined;
  found.codes = guarded("codes", s, () => checkCodes(s, (decoded = s.kernel.codes(s.bytes, s.shape, s.tl, s.decodeInto))));
  if (decoded) found.scales = guarded("scales", s, () => checkScales(s, decoded!));
  found.gemv = guarded("gemv", s, () => checkGemv(s, seeds, tokens));
  found.reserved = guarded("reserved", s, () => checkReserved(s));
  return found;
}

function probeCounts(options: VerifyOptions, tensor: string): { seeds: readonly number[]; tokens: number } {
  const seeds = options.seeds ?? DEFAULT_SEEDS;
  const tokens = options.tokens ?? DEFAULT_TOKENS;
  if (seeds.length === 0 || !seeds.every(Number.isSafeInteger) || !Number.isSafeInteger(tokens) || tokens < 0) {
    fail("USAGE", { tensor, detail: `verify options: seeds must be a non-empty list of integers and tokens ≥ 0, got ${JSON.stringify(options)}` });
  }
  return { seeds, tokens };
}

export function verifyTensor(input: VerifyInput, options: VerifyOptions = {}): VerifyResult {
  const start = performance.now();
  const s = openSubject(input);
  const { seeds, tokens } = probeCounts(options, s.tensor);
  const found = runChecks(s, seeds, tokens);
  const checks = {} as Record<CheckName, CheckOutcome>;
  let failure: VerifyFailure | undefined;
  for (const name of CHECK_ORDER) {
    const f = found[name];
    if (f === undefined) checks[name] = { ok: false, skipped: true, detail: "not checked: the payload could not be decoded" };
    else checks[name] = f ? { ok: false, detail: f.message } : { ok: true };
    failure ??= f ?? undefined;
  }
  return {
    name: s.tensor,
    layout: s.layout,
    ok: failure === undefined,
    checks,
    ...(failure ? { failure } : {}),
    gemvVectors: found.gemv === undefined ? 0 : seeds.length * (tokens + 1),
    elapsedMs: performance.now() - start,
  };
}

/** Where a failure is, in words: "row 3, column 17, block 0, payload byte 12". */
function describePosition(f: VerifyFailure): string {
  const parts: string[] = [];
  if (f.row !== undefined) parts.push(`row ${f.row}`);
  if (f.col !== undefined) parts.push(`column ${f.col}`);
  if (f.block !== undefined) parts.push(`block ${f.block}`);
  if (f.byteOffset !== undefined) parts.push(`payload byte ${f.byteOffset}`);
  return parts.join(", ");
}

/** Throws VERIFY_FAILED naming the tensor, the failing check and where it failed, unless `result.ok`. */
export function assertVerified(result: VerifyResult): void {
  if (result.ok) return;
  const f = result.failure;
  const where = f ? describePosition(f) : "";
  throw new TernpackError("VERIFY_FAILED", {
    tensor: result.name,
    detail: f ? `${result.layout} ${f.check} check failed${where ? ` at ${where}` : ""}: ${f.message}` : `${result.layout}: verification failed`,
  });
}
