/** The ternpack container (.tpk): SPEC.md. */
export * from "./constants.js";
export { hasContainerMagic } from "./framing.js";
export {
  manifestSchema,
  knownFeatures,
  requiredFeatures,
  parseManifest,
  type ContainerManifest,
  type ContainerTensorEntry,
  type ContainerFileEntry,
  type ContainerCodebook,
  type ContainerModel,
  type ContainerProvenance,
  type BlobEntry,
} from "./manifest.js";
export { MIN_SAVING, compressIfWorthIt } from "./compression.js";
export { createContainerWriter, isPackedLayout, ContainerWriter, type ContainerTensorDecl, type ContainerWriterOptions, type ContainerWriterState } from "./writer.js";
export { openContainer, type ContainerFile } from "./reader.js";
export { memorySink, type MemorySink } from "../../src/core/memory-sink.js";
