/**
 * Where to push and with which token: `hubUrl` option, else HF_ENDPOINT, else huggingface.co;
 * `token` option, else HF_TOKEN, else the token file `huggingface-cli login` writes (as huggingface_hub
 * looks for it: HF_TOKEN_PATH, else $HF_HOME/token, else ~/.cache/huggingface/token). The token is a secret: `redact` removes it from any text before
 * that text reaches a message, and nothing else in src/hub ever formats it.
 */
import { fail } from "../core/errors.js";
import { readFileSync } from "node:fs";
import { tokenFilePath, type Environment } from "./cache-dir.js";

export const DEFAULT_HUB_URL = "https://huggingface.co";
const REDACTED = "hf_***";

export function resolveHubUrl(option: string | undefined, env: Environment): string {
  const value = option ?? (env["HF_ENDPOINT"] || undefined) ?? DEFAULT_HUB_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail("USAGE", { detail: `the Hub URL ${JSON.stringify(value)} is not a URL` });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") fail("USAGE", { detail: `the Hub URL must be http(s), got ${url.protocol}` });
  if (url.username !== "" || url.password !== "") fail("USAGE", { detail: "the Hub URL must not carry credentials; pass the token with --token or HF_TOKEN" });
  return value.replace(/\/+$/, "");
}

/** The token for a push; HUB_AUTH when there is none or it cannot be a Hub token. */
export function resolveToken(option: string | undefined, env: Environment): string {
  const token = option ?? (env["HF_TOKEN"] || undefined) ?? savedToken(env);
  if (token === undefined || token === "") {
    fail("HUB_AUTH", { detail: `no token: pass --token, set HF_TOKEN or log in with huggingface-cli (no token file at ${tokenFilePath(env)})` });
  }
  if (!token.startsWith("hf_")) fail("HUB_AUTH", { detail: "the token does not start with 'hf_', so it is not a Hugging Face access token" });
  if (/\s/.test(token)) fail("HUB_AUTH", { detail: "the token contains white space" });
  return token;
}

/** The token `huggingface-cli login` saved, trimmed; undefined when there is no such file. */
function savedToken(env: Environment): string | undefined {
  try {
    return readFileSync(tokenFilePath(env), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `text` with every occurrence of `token` (and of its URL-encoded form) replaced. */
export function redact(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join(REDACTED).split(encodeURIComponent(token)).join(REDACTED);
}
