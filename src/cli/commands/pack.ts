import { packFile, unpackFile, type ResolvedLayout } from "../../api/raw-tensor.js";
import { requirePositionals, requireString, type Command, type OptionSpec } from "../args.js";
import { parseNumber, parseShape, parseTl } from "../parse-values.js";

const layoutOptions: Record<string, OptionSpec> = {
  layout: { type: "string", short: "l", value: "name", description: "layout (see `ternpack layouts`)" },
  shape: { type: "string", value: "M,K", description: "rows (out_features), row length (in_features)" },
  tl: { type: "string", value: "BM,BK,bm", description: "TL1/TL2 tiling (default: bitnet.cpp preset or the documented rule)" },
  output: { type: "string", short: "o", value: "file", description: "output file" },
  json: { type: "boolean", description: "print a JSON summary" },
};

function summary(resolved: ResolvedLayout, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    layout: resolved.layout.name,
    ...(resolved.params.tl ? { tl: resolved.params.tl, tlSource: resolved.tlSource } : {}),
    ...extra,
  };
}

function report(json: unknown, s: Record<string, unknown>, out: (t: string) => void): void {
  if (json) out(JSON.stringify(s, null, 2));
  else out(Object.entries(s).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join("\n"));
}

export const packCommand: Command = {
  summary: "pack raw int8 ternary codes (or float32 with --input-f32) into a layout's bytes",
  args: "<codes.i8>",
  options: {
    ...layoutOptions,
    scale: { type: "string", value: "S", description: "per-tensor dequantization multiplier (default 1)" },
    "input-f32": { type: "boolean", description: "input is float32; quantize it the way the layout's reference does" },
  },
  async run(ctx) {
    const [input] = requirePositionals(ctx, 1, "one input file");
    const { values } = ctx;
    const output = requireString(values, "output");
    const r = await packFile(input!, output, {
      layout: requireString(values, "layout"),
      shape: parseShape(requireString(values, "shape")),
      tl: parseTl(values.tl as string | undefined),
      scale: parseNumber("scale", values.scale as string | undefined),
      inputF32: values["input-f32"] === true,
    });
    report(values.json, summary(r, { output, bytes: r.bytes.length }), ctx.out);
  },
};

export const unpackCommand: Command = {
  summary: "unpack a layout's bytes into raw int8 ternary codes (or float32 with --output-f32)",
  args: "<in.bin>",
  options: {
    ...layoutOptions,
    "output-f32": { type: "boolean", description: "write dequantized float32 values instead of codes" },
  },
  async run(ctx) {
    const [input] = requirePositionals(ctx, 1, "one input file");
    const { values } = ctx;
    const output = requireString(values, "output");
    const r = await unpackFile(input!, output, {
      layout: requireString(values, "layout"),
      shape: parseShape(requireString(values, "shape")),
      tl: parseTl(values.tl as string | undefined),
      outputF32: values["output-f32"] === true,
    });
    const scales = Array.from(r.scales);
    report(values.json, summary(r, { output, elements: r.elements, scales: scales.length <= 8 ? scales : { count: scales.length, first: scales.slice(0, 8) } }), ctx.out);
  },
};
