/**
 * The container write stage: the same verified jobs the GGUF stage consumes, written into one
 * ternpack container (formats/container) through a temporary file renamed into place when complete.
 * Ternary tensors keep their packed layout; CB158 tensors are stored as their CB158 bytes (checked
 * bit-exact in the quantize step), not the F16 export; every other tensor as the GGUF would hold it.
 * Side files and provenance: container-inputs.ts.
 */
import { writeFileAtomically, type ByteSink } from "../core/atomic-file.js";
import { fail } from "../core/errors.js";
import { createContainerWriter, type ContainerCodebook, type ContainerTensorDecl } from "../../formats/container/index.js";
import { CB158_VERSION } from "../../formats/layouts/cb158-format.js";
import { containerProvenance, modelConfig, sideFiles, type ContainerInputs } from "./container-inputs.js";
import { checkAborted } from "./stages.js";
import { jobReport } from "./steps.js";
import type { ConversionPlan, PlannedTensor, ProgressEvent, TensorJob } from "./types.js";

export { GGUF_METADATA_FILE, type ContainerInputs } from "./container-inputs.js";

/** The codebook of CB158 payload version 1: the layout's built-in grid. */
export const CB158_GRID_CODEBOOK: ContainerCodebook = {
  id: "cb158-grid-v1",
  layout: "cb158",
  storage: "builtin",
  description: "CB158-SPEC.md's nested ternary grid of 8-weight codewords (fixed by the spec, stored nowhere)",
};
/** Later CB158 payload versions carry a learned table of codewords in the tensor's own payload. */
export const CB158_LEARNED_CODEBOOK: ContainerCodebook = {
  id: "cb158-learned",
  layout: "cb158",
  storage: "tensor",
  description: "a table of codewords learned for the tensor, stored inside its CB158 payload (CB158-SPEC.md)",
};

/** Which codebook a CB158 payload uses: its first byte is the payload version. */
const cb158Codebook = (payload: Uint8Array): string => (payload[0] === CB158_VERSION ? CB158_GRID_CODEBOOK.id : CB158_LEARNED_CODEBOOK.id);

export interface ContainerWriteOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  wrapSink?: (sink: ByteSink, path: string) => ByteSink;
}

/** How a planned tensor is stored: CB158 tensors in the cb158 layout, others as planned. */
function declaration(t: PlannedTensor): ContainerTensorDecl {
  const common = { name: t.name, shape: t.shape, source: t.source, ...(t.permute ? { permute: { heads: t.permute.heads } } : {}) };
  return t.cb158 ? { ...common, layout: "cb158", params: { bpw: t.cb158.bpw } } : { ...common, layout: t.layout, params: t.params };
}

function payload(job: TensorJob): Uint8Array {
  const t = job.tensor;
  if (!t.cb158) return job.bytes ?? fail("WRITER_STATE", { tensor: t.name, detail: "the job has no packed bytes" });
  return job.cb158Bytes ?? fail("WRITER_STATE", { tensor: t.name, detail: "the CB158 tensor came back without its CB158 bytes (is dist/pipeline-worker.js older than the sources?)" });
}

export interface ContainerWriteResult {
  /** The jobs' reports (no arrays kept), in plan order. */
  written: TensorJob[];
  /** Bytes of the container file. */
  fileBytes: number;
}

/** Writes the container of `plan` from `jobs` (in plan order). */
export async function writeContainer(plan: ConversionPlan, jobs: AsyncIterable<TensorJob>, inputs: ContainerInputs, options: ContainerWriteOptions = {}): Promise<ContainerWriteResult> {
  const path = plan.shards[0]?.path ?? fail("WRITER_STATE", { detail: "the plan has no output file" });
  const files = await sideFiles(inputs, plan);
  const config = modelConfig(files, inputs);
  const it = jobs[Symbol.asyncIterator]();
  const written: TensorJob[] = [];
  try {
    const fileBytes = await writeFileAtomically(path, async (fileSink) => {
      const sink = options.wrapSink ? options.wrapSink(fileSink, path) : fileSink;
      const writer = createContainerWriter(sink, {
        model: { architecture: plan.architecture, hfArchitecture: inputs.source.spec.hfArchitecture, target: plan.target, config },
        provenance: containerProvenance(inputs),
        codebooks: [CB158_GRID_CODEBOOK, CB158_LEARNED_CODEBOOK],
        compression: inputs.options.compress ? "all" : "side-files",
      });
      const lengths = plan.tensors.map((t) => writer.declareTensor(declaration(t)));
      const bytesTotal = lengths.reduce((a, b) => a + b, 0);
      let bytesDone = 0;
      await writer.writeHeader();
      for (const f of files) await writer.writeFile(f.name, f.role, f.bytes);
      for (const [i, t] of plan.tensors.entries()) {
        checkAborted(options.signal);
        const next = await it.next();
        if (next.done) fail("WRITER_STATE", { tensor: t.name, detail: "the tensor stream ended before this tensor" });
        if (next.value.tensor.name !== t.name) fail("WRITER_STATE", { tensor: next.value.tensor.name, detail: `expected tensor '${t.name}' next` });
        const bytes = payload(next.value);
        await writer.writeTensor(t.name, bytes, t.cb158 ? { codebook: cb158Codebook(bytes) } : {});
        bytesDone += lengths[i]!;
        written.push(jobReport(next.value));
        options.onProgress?.({ tensor: t.name, tensorsDone: written.length, tensorsTotal: plan.tensors.length, bytesDone, bytesTotal, shard: 0, shards: 1 });
      }
      const extra = await it.next();
      if (!extra.done) fail("WRITER_STATE", { tensor: extra.value.tensor.name, detail: "the tensor stream has more tensors than the plan" });
      await writer.close();
      checkAborted(options.signal);
      return sink.position;
    });
    return { written, fileBytes };
  } finally {
    await it.return?.();
  }
}

