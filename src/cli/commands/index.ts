/** The command table: adding a command is one line here. */
import type { Command } from "../args.js";
import { convertCommand } from "./convert.js";
import { evalCommand } from "./eval.js";
import { inspectCommand } from "./inspect.js";
import { layoutsCommand } from "./layouts.js";
import { packCommand, unpackCommand } from "./pack.js";
import { verifyCommand } from "./verify.js";

export const COMMANDS: Record<string, Command> = {
  convert: convertCommand,
  eval: evalCommand,
  inspect: inspectCommand,
  layouts: layoutsCommand,
  pack: packCommand,
  unpack: unpackCommand,
  verify: verifyCommand,
};
