/** Numeric GGUF arrays are copied to and from typed arrays directly only on little-endian hosts. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
