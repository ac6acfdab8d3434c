/**
 * One closed set of error codes for every failure ternpack reports, and one error class.
 * Callers branch on `code`; messages are composed in one place (`formatMessage`).
 */

export const ERROR_CODES = {
  // generic
  USAGE: "bad command-line usage or API arguments",
  IO_ERROR: "file system read or write failed",
  DISK_FULL: "no space left on the output device",
  INTERRUPTED: "the run was interrupted",
  UNKNOWN_FORMAT: "file format not recognised",
  UNSUPPORTED_DTYPE: "data type not supported here",
  SHAPE_MISMATCH: "tensor shape does not match what was expected",
  NON_FINITE: "tensor holds NaN or infinite values",
  LIMIT_EXCEEDED: "a safety limit was exceeded",
  TENSOR_NOT_FOUND: "no tensor with that name",
  // safetensors (the Rust crate's variants, plus ternpack's extra rules)
  HEADER_TOO_SMALL: "file shorter than the 8-byte header length",
  HEADER_TOO_LARGE: "declared header length exceeds the cap",
  INVALID_HEADER_LENGTH: "declared header extends past the end of the file",
  INVALID_UTF8: "header is not valid UTF-8",
  INVALID_HEADER_START: "header does not start with '{'",
  INVALID_JSON: "header is not valid JSON",
  INVALID_HEADER: "header JSON does not follow the schema",
  UNKNOWN_DTYPE: "dtype is not one of the format's dtypes",
  DUPLICATE_KEY: "the same key appears twice",
  INVALID_OFFSET: "tensor data offsets are not sorted, contiguous and starting at 0",
  VALIDATION_OVERFLOW: "size computed from shape and dtype overflows",
  MISALIGNED_SLICE: "tensor bit size is not a whole number of bytes",
  TENSOR_INVALID_INFO: "byte length does not equal elements times dtype size",
  INCOMPLETE_BUFFER: "data buffer is not exactly covered by the tensors",
  INVALID_SHAPE: "shape has a negative, fractional or unsafe dimension",
  INVALID_METADATA: "__metadata__ is not a string-to-string map",
  INVALID_INDEX: "sharded checkpoint index is malformed",
  PATH_ESCAPE: "a path leaves the model folder",
  SHARD_MISSING: "a shard named by the index is missing or disagrees with it",
  // GGUF
  BAD_MAGIC: "file does not start with the expected magic bytes",
  UNSUPPORTED_VERSION: "format version not supported",
  TRUNCATED: "file ends before the structure it declares",
  INVALID_VALUE_TYPE: "unknown or disallowed GGUF value type",
  INVALID_VALUE: "GGUF value is not allowed (empty, out of range, wrong type)",
  DUPLICATE_TENSOR: "the same tensor name appears twice",
  INVALID_TYPE_ID: "unknown or removed ggml type id",
  INVALID_ALIGNMENT: "alignment is not a power of two or has the wrong type",
  INVALID_TENSOR_OFFSET: "tensor offset is not the exact running sum of padded sizes",
  OUT_OF_BOUNDS: "data lies outside the file",
  INVALID_DIMS: "tensor dimensions are invalid for the format",
  BLOCK_MISMATCH: "row length is not a multiple of the type's block size",
  NAME_TOO_LONG: "name exceeds the format's length limit",
  WRITER_STATE: "writer call made in the wrong state",
  // layouts, kernels and verification
  LAYOUT_UNKNOWN: "no layout with that name",
  LAYOUT_DUPLICATE: "a layout with that name is already registered",
  LAYOUT_UNSUPPORTED_SHAPE: "the layout cannot hold a tensor of this shape",
  INVALID_CODE: "packed data holds a code the layout never writes",
  INVALID_TERNARY: "codes are not all in {-1, 0, +1}",
  INVALID_SCALE: "a scale is zero, negative or not finite",
  VERIFY_FAILED: "packed tensor does not match its source",
  // models and conversion
  INVALID_CONFIG: "model configuration is invalid",
  UNSUPPORTED_ARCH: "model architecture is not supported",
  // ternpack container
  CHECKSUM_MISMATCH: "stored bytes do not match their recorded checksum",
  UNSUPPORTED_FEATURE: "the file requires a feature this version does not know",
  // Hugging Face Hub
  HUB_AUTH: "the Hub refused the credentials",
  HUB_REQUEST: "a request to the Hub failed",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorContext {
  /** Tensor (or KV key / file) the failure concerns. */
  tensor?: string;
  /** File the failure concerns. */
  file?: string;
  /** Absolute byte offset in the file where the problem was found. */
  offset?: number;
  /** What was found and what was expected, with the numbers. */
  detail?: string;
  cause?: unknown;
}

function formatMessage(code: ErrorCode, ctx: ErrorContext): string {
  const where: string[] = [];
  if (ctx.file !== undefined) where.push(`file ${ctx.file}`);
  if (ctx.tensor !== undefined) where.push(`tensor '${ctx.tensor}'`);
  if (ctx.offset !== undefined) where.push(`byte ${ctx.offset}`);
  const head = `${code}: ${ERROR_CODES[code]}`;
  const tail = [where.join(", "), ctx.detail].filter((s) => s !== undefined && s !== "").join(": ");
  return tail ? `${head} (${tail})` : head;
}

export class TernpackError extends Error {
  override readonly name = "TernpackError";
  readonly code: ErrorCode;
  readonly tensor: string | undefined;
  readonly file: string | undefined;
  readonly offset: number | undefined;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, ctx: ErrorContext = {}) {
    super(formatMessage(code, ctx), ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.code = code;
    this.tensor = ctx.tensor;
    this.file = ctx.file;
    this.offset = ctx.offset;
    this.detail = ctx.detail;
  }

  /** The same error with more context (e.g. the file name added by an outer layer). */
  withContext(ctx: ErrorContext): TernpackError {
    return new TernpackError(this.code, {
      tensor: this.tensor ?? ctx.tensor,
      file: this.file ?? ctx.file,
      offset: this.offset ?? ctx.offset,
      detail: this.detail ?? ctx.detail,
      cause: this.cause ?? ctx.cause,
    });
  }
}

/** Shorthand for `throw new TernpackError(...)` in expression position. */
export function fail(code: ErrorCode, ctx: ErrorContext = {}): never {
  throw new TernpackError(code, ctx);
}

export function isTernpackError(e: unknown, code?: ErrorCode): e is TernpackError {
  return e instanceof TernpackError && (code === undefined || e.code === code);
}
