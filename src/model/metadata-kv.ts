/** One GGUF KV as ternpack's metadata builders return it: the key with a writer-ready typed value. */
import type { GgufKvInput } from "../../formats/gguf/value-types.js";

/** `{ key, type, value }` with `type` a GGUF value type id; `writer.addKv(kv.key, kv.type, kv.value)` takes it. */
export type MetadataKv = { key: string } & GgufKvInput;
