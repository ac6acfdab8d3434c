/** The command table: adding a command is one line here. */
import type { Command } from "../args.js";
import { convertCommand } from "./convert.js";
import { evalCommand } from "./eval.js";
import { exportCommand } from "./export.js";
import { inspectCommand } from "./inspect.js";
import { layoutsCommand } from "./layouts.js";
import { packCommand, unpackCommand } from "./pack.js";
import { publishCommand } from "./publish.js";
import { verifyCommand } from "./verify.js";

export const COMMANDS: Record<string, Command> = {
  convert: convertCommand,
  eval: evalCommand,
  export: exportCommand,
  inspect: inspectCommand,
  layouts: layoutsCommand,
  pack: packCommand,
  publish: publishCommand,
  unpack: unpackCommand,
  verify: verifyCommand,
};
