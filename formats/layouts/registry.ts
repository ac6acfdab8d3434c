/** The layout registry: one entry per layout, registered once; lookups by name or ggml id. */
import { TernpackError } from "../../src/core/errors.js";
import type { Layout } from "./types.js";

const byName = new Map<string, Layout>();

/** Registers a layout; a second layout with the same name is an error. */
export function defineLayout<L extends Layout>(layout: L): L {
  if (byName.has(layout.name)) {
    throw new TernpackError("LAYOUT_DUPLICATE", { detail: `layout '${layout.name}' is already registered` });
  }
  byName.set(layout.name, layout);
  return layout;
}

export function getLayout(name: string): Layout {
  const layout = byName.get(name.toLowerCase());
  if (!layout) {
    throw new TernpackError("LAYOUT_UNKNOWN", {
      detail: `'${name}' (known: ${[...byName.keys()].join(", ")})`,
    });
  }
  return layout;
}

export function listLayouts(): Layout[] {
  return [...byName.values()];
}
