/**
 * Where the Hugging Face hub cache is, by huggingface_hub's rules (`constants.py`):
 *   HF_HUB_CACHE, else the legacy HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
 *   $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
 * The token file follows the same home rules. A leading `~` is expanded as Python's expanduser does; an empty variable counts as unset
 * (huggingface_hub would use "" as a relative path, which is never what was meant).
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Environment variables as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Which rule gave the cache folder (for messages). */
export type CacheDirSource = "HF_HUB_CACHE" | "HUGGINGFACE_HUB_CACHE" | "HF_HOME" | "XDG_CACHE_HOME" | "default";

export interface HubCacheDir {
  /** Absolute path of the hub cache folder (it need not exist). */
  dir: string;
  from: CacheDirSource;
}

function setting(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

function home(env: Environment): string {
  return setting(env, "HOME") ?? homedir();
}

/** `~` and `~/…` → the home folder; then an absolute path. */
function expandUser(path: string, env: Environment): string {
  if (path === "~") return home(env);
  if (path.startsWith("~/")) return join(home(env), path.slice(2));
  return resolve(path);
}

/** huggingface_hub's home: $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
function hfHome(env: Environment): { dir: string; from: "HF_HOME" | "XDG_CACHE_HOME" | "default" } {
  const hfHomeSetting = setting(env, "HF_HOME");
  if (hfHomeSetting !== undefined) return { dir: expandUser(hfHomeSetting, env), from: "HF_HOME" };
  const xdg = setting(env, "XDG_CACHE_HOME");
  if (xdg !== undefined) return { dir: join(expandUser(xdg, env), "huggingface"), from: "XDG_CACHE_HOME" };
  return { dir: join(home(env), ".cache", "huggingface"), from: "default" };
}

export function hubCacheDir(env: Environment = process.env): HubCacheDir {
  for (const name of ["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"] as const) {
    const value = setting(env, name);
    if (value !== undefined) return { dir: expandUser(value, env), from: name };
  }
  const h = hfHome(env);
  return { dir: join(h.dir, "hub"), from: h.from };
}

/** Where `huggingface-cli login` stores the token: $HF_TOKEN_PATH, else <HF home>/token. */
export function tokenFilePath(env: Environment = process.env): string {
  const path = setting(env, "HF_TOKEN_PATH");
  return path !== undefined ? expandUser(path, env) : join(hfHome(env).dir, "token");
}
