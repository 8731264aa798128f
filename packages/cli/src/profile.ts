// Where the CLI sends requests: flags, then QUIVER_URL/QUIVER_KEY, then a named profile in the config file
// (0600; $QUIVER_CONFIG or ~/.config/quiver/config.json), then the demo key the server wrote on first start.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CliError, EXIT } from './errors.ts';

export const DEFAULT_URL = 'http://localhost:8080';
export const DEFAULT_DATA_DIR = './data';
const CONFIG_MODE = 0o600;

export interface Profile {
  url: string;
  key?: string;
}

export interface ConfigFile {
  current?: string;
  profiles: Record<string, Profile>;
}

export interface Env {
  env: Record<string, string | undefined>;
  cwd: string;
}

export const configPath = ({ env }: Env): string =>
  env.QUIVER_CONFIG || join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'quiver', 'config.json');

export const readConfig = (io: Env): ConfigFile => {
  const file = configPath(io);
  if (!existsSync(file)) return { profiles: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as ConfigFile;
    return { current: parsed.current, profiles: parsed.profiles ?? {} };
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`, EXIT.input);
  }
};

/** Written with mode 0600 (it holds API keys), re-chmodded in case the file existed with a wider mode. */
export const writeConfig = (io: Env, config: ConfigFile): string => {
  const file = configPath(io);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: CONFIG_MODE });
  chmodSync(file, CONFIG_MODE);
  return file;
};

const demoKey = (io: Env): string | undefined => {
  const file = resolve(io.cwd, io.env.QUIVER_DATA_DIR || DEFAULT_DATA_DIR, 'credentials.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { demoKey?: string }).demoKey;
};

export interface Target {
  url: string;
  key?: string;
  /** Where the key came from, for error messages. */
  keySource: string;
}

export const resolveTarget = (io: Env, flags: { url?: string; key?: string; profile?: string }): Target => {
  const config = readConfig(io);
  const name = flags.profile ?? io.env.QUIVER_PROFILE ?? config.current;
  const profile = name ? config.profiles[name] : undefined;
  if (name && !profile && (flags.profile || io.env.QUIVER_PROFILE))
    throw new CliError(`No profile '${name}' in ${configPath(io)} (quiver profile list)`, EXIT.usage);
  const url = flags.url || io.env.QUIVER_URL || profile?.url || DEFAULT_URL;
  if (flags.key) return { url, key: flags.key, keySource: '--key' };
  if (io.env.QUIVER_KEY) return { url, key: io.env.QUIVER_KEY, keySource: 'QUIVER_KEY' };
  if (profile?.key) return { url, key: profile.key, keySource: `profile '${name}'` };
  const demo = demoKey(io);
  return { url, key: demo, keySource: demo ? 'the demo key in data/credentials.json' : 'none' };
};
