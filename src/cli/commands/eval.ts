import { readFile } from "node:fs/promises";
import { evaluate, type EvaluateResult, type MeanWithError, type ScoringProtocol } from "../../api/evaluate.js";
import { TernpackError } from "../../core/errors.js";
import { requirePositionals, requireString, type Command } from "../args.js";
import { parseCount } from "../parse-values.js";
import { formatTable } from "../table.js";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const pm = (m: MeanWithError, digits: number, scale = 1) => `${(m.mean * scale).toFixed(digits)} ± ${(m.stderr * scale).toFixed(digits)}`;

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    throw new TernpackError("IO_ERROR", { file: path, detail: (cause as Error).message, cause });
  }
}

function reportRows(r: EvaluateResult): string[][] {
  const rows = [
    ["tokens scored", `${r.tokens} (${r.windows} window${r.windows === 1 ? "" : "s"} of ≤ ${r.ctx}, protocol ${r.protocol})`],
    ["PPL original", `${r.original.ppl.toFixed(4)} ± ${r.original.pplError.toFixed(4)}`],
    ["PPL quantized", `${r.quantized.ppl.toFixed(4)} ± ${r.quantized.pplError.toFixed(4)}`],
    ["mean NLL original", pm(r.original, 6)],
    ["mean NLL quantized", pm(r.quantized, 6)],
    ["mean ln(PPL(Q)/PPL(base))", pm(r.lnPplRatio, 6)],
    ["KL divergence mean", pm(r.kl, 6)],
    ["KL divergence median", r.kl.median.toFixed(6)],
    ["KL divergence p99", r.kl.p99.toFixed(6)],
    ["KL divergence max", r.kl.max.toFixed(6)],
    ["same top p", `${pm(r.sameTop, 3, 100)} %`],
  ];
  r.greedy.forEach((g, i) => {
    const diverged = g.firstDivergence === null ? "never diverges" : `diverges at step ${g.firstDivergence}`;
    rows.push([`greedy prompt ${i}`, `${(g.fractionEqual * 100).toFixed(1)} % equal of ${g.original.length}, ${diverged}`]);
  });
  return rows;
}

export const evalCommand: Command = {
  summary: "compare a quantized model with its original on a text: perplexities, KL divergence, top-1 and greedy agreement",
  args: "<original> <quantized>",
  options: {
    text: { type: "string", value: "file.txt", description: "evaluation text (required)" },
    ctx: { type: "string", value: "N", description: "window length in tokens (default 512)" },
    protocol: { type: "string", value: "all|llama.cpp", description: "score every position (default) or llama-perplexity's second halves" },
    prompts: { type: "string", value: "file.txt", description: "greedy-agreement prompts, one per line (default: 3 slices of the text)" },
    greedy: { type: "string", value: "N", description: "greedy tokens per prompt (default 16)" },
    tokenizer: { type: "string", value: "tokenizer.json", description: "tokenizer (default: the one in whichever model is a folder)" },
    json: { type: "boolean", description: "print the result as JSON" },
  },
  async run(ctx) {
    const [original, quantized] = requirePositionals(ctx, 2, "an original and a quantized model");
    const v = ctx.values;
    const promptsFile = str(v.prompts);
    const prompts = promptsFile === undefined ? undefined : (await readText(promptsFile)).split("\n").filter((l) => l.trim() !== "");
    const result = await evaluate({
      original: original!,
      quantized: quantized!,
      text: await readText(requireString(v, "text")),
      ctx: parseCount("ctx", str(v.ctx)),
      protocol: str(v.protocol) as ScoringProtocol | undefined,
      greedyTokens: parseCount("greedy", str(v.greedy)),
      prompts,
      tokenizer: str(v.tokenizer),
    });
    if (v.json) ctx.out(JSON.stringify(result, null, 2));
    else ctx.out(formatTable(["statistic", "value"], reportRows(result)));
  },
};
