/**
 * A declarative command table parsed with node:util `parseArgs`; usage text is generated from the
 * table, so help can never drift from what is accepted.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { TernpackError } from "../core/errors.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  description: string;
  /** Placeholder shown in usage for string options. */
  value?: string;
}

export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Command {
  summary: string;
  /** Positional arguments, e.g. `<file>`. */
  args: string;
  options: Record<string, OptionSpec>;
  run(ctx: CommandContext): Promise<void>;
}

export function parseCommand(cmd: Command, argv: string[]): { positionals: string[]; values: CommandContext["values"] } {
  const options: ParseArgsConfig["options"] = {};
  for (const [name, spec] of Object.entries(cmd.options)) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  try {
    const { positionals, values } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { positionals, values: values as CommandContext["values"] };
  } catch (cause) {
    throw new TernpackError("USAGE", { detail: (cause as Error).message, cause });
  }
}

export function commandUsage(name: string, cmd: Command): string {
  const lines = [`ternpack ${name} ${cmd.args}`.trimEnd(), `  ${cmd.summary}`];
  for (const [opt, spec] of Object.entries(cmd.options)) {
    const flag = `--${opt}${spec.type === "string" ? ` <${spec.value ?? "value"}>` : ""}`;
    const short = spec.short ? `-${spec.short}, ` : "";
    lines.push(`    ${(short + flag).padEnd(30)} ${spec.description}`);
  }
  return lines.join("\n");
}

/** A required string option, or a USAGE error naming it. */
export function requireString(values: CommandContext["values"], name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new TernpackError("USAGE", { detail: `--${name} is required` });
  return v;
}

/** Exactly `count` positional arguments, or a USAGE error. */
export function requirePositionals(ctx: CommandContext, count: number, what: string): string[] {
  if (ctx.positionals.length !== count) {
    throw new TernpackError("USAGE", { detail: `expected ${what}, got ${ctx.positionals.length} argument(s)` });
  }
  return ctx.positionals;
}
