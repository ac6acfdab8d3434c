/** The package version, written into every file ternpack produces (`general.quantized_by`). */
export const VERSION = "0.1.0";
