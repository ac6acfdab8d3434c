/** Importing this module registers every layout. */
import "./float.js";
import "./q8_0.js";
import "./tq1_0.js";
import "./tq2_0.js";
import "./i2_s.js";
import "./tl1.js";
import "./tl2.js";
import "./cb158.js";

export * from "./types.js";
export { defineLayout, getLayout, listLayouts } from "./registry.js";
