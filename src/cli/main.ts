/** The command line: one table of commands, each a thin shell over one library call. */
import { isTernpackError } from "../core/errors.js";
import { VERSION } from "../version.js";
import { commandUsage, parseCommand, type Command, type CommandContext } from "./args.js";
import { COMMANDS } from "./commands/index.js";

function usage(commands: Record<string, Command>): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length));
  return [
    `ternpack ${VERSION} — ternary (1.58-bit) model conversion for llama.cpp and bitnet.cpp`,
    "",
    "usage: ternpack <command> [options]",
    "",
    ...names.map((n) => `  ${n.padEnd(width)}  ${commands[n]!.summary}`),
    "",
    "ternpack <command> --help shows a command's options.",
  ].join("\n");
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
};

/** Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 usage error. */
export async function main(argv: string[], io: CliIo = processIo, commands: Record<string, Command> = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(usage(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    io.out(VERSION);
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    io.err(`ternpack: unknown command '${name}'\n\n${usage(commands)}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(commandUsage(name, cmd));
    return 0;
  }
  try {
    const parsed = parseCommand(cmd, rest);
    const ctx: CommandContext = { ...parsed, out: io.out, err: io.err };
    await cmd.run(ctx);
    return 0;
  } catch (e) {
    if (isTernpackError(e)) {
      io.err(`ternpack ${name}: ${e.message}`);
      if (e.code === "USAGE") io.err(commandUsage(name, cmd));
      return e.code === "USAGE" ? 2 : 1;
    }
    io.err(`ternpack ${name}: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 1;
  }
}
