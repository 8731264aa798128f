// Loads the configuration: defaults → optional JSON file (QUIVER_CONFIG) → environment → validate → freeze.
import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { ADAPTERS, urlProblem } from '../adapters/index.ts';
import { type Config, ConfigSchema, DEFAULT_RATE_LIMITS, ENV_VARS } from './schema.ts';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const parseEnvValue = (raw: string): unknown => {
  if (/^-?\d+(\.\d+)?$/.test(raw) || raw === 'true' || raw === 'false') return JSON.parse(raw);
  return raw;
};

const setPath = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = (target[head] ?? {}) as Record<string, unknown>;
  target[head] = child;
  setPath(child, rest.join('.'), value);
};

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

const SHARED_DATABASE = /^postgres(ql)?:\/\//;

/**
 * Replicas sharing a PostgreSQL database must share their model artifacts too: the registry is in the
 * database, but a default blob store is each replica's own data directory, so a version uploaded through
 * one replica would be missing on the others.
 */
const sharedStorageProblems = (c: Partial<Config>): string[] =>
  c.databaseUrl && SHARED_DATABASE.test(c.databaseUrl) && !c.artifactsUrl
    ? [
        'artifactsUrl (ARTIFACTS_URL): required with a PostgreSQL DATABASE_URL, or model artifacts stay in ' +
          "each replica's own data directory and the other replicas cannot load them; set s3://bucket/prefix, " +
          'or file:///path on a directory every replica mounts',
      ]
    : [];

/** A URL setting's problem, naming the schemes its port's adapter table accepts. */
const urlSettingProblem = (setting: string, value: unknown): string | undefined => {
  const port = Object.values(ADAPTERS).find((p) => p.setting === setting);
  return port && typeof value === 'string' ? urlProblem(port.adapter, value) : undefined;
};

/**
 * Builds the configuration from `overrides` (used by tests), a JSON file named by `QUIVER_CONFIG`, and the
 * environment, in increasing precedence after defaults. Throws a ConfigError listing every problem.
 */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config => {
  const problems: string[] = [];
  const input: Record<string, unknown> = structuredClone(overrides) as Record<string, unknown>;

  if (env.QUIVER_CONFIG) {
    try {
      Object.assign(input, JSON.parse(readFileSync(env.QUIVER_CONFIG, 'utf8')));
    } catch (error) {
      problems.push(`QUIVER_CONFIG (${env.QUIVER_CONFIG}): ${(error as Error).message}`);
    }
  }
  for (const [name, setting] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(input, setting, parseEnvValue(raw));
  }
  if (input.defaultLimits) {
    input.defaultLimits = { ...DEFAULT_RATE_LIMITS, ...(input.defaultLimits as object) };
  }
  const candidate = Value.Default(ConfigSchema, input) as Record<string, unknown>;
  const envName = (setting: string) =>
    Object.entries(ENV_VARS).find(([, s]) => s === setting)?.[0] ?? setting;
  for (const error of Value.Errors(ConfigSchema, candidate)) {
    const setting = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const extra = (error.params as { additionalProperties?: string[] }).additionalProperties;
    const where = extra ? extra.join(', ') : `${setting} (${envName(setting)})`;
    const message =
      error.keyword === 'const'
        ? 'is not one of the allowed values'
        : (urlSettingProblem(setting, candidate[setting]) ?? error.message);
    if (!problems.includes(`${where}: ${message}`)) problems.push(`${where}: ${message}`);
  }
  problems.push(...sharedStorageProblems(candidate as Partial<Config>));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(candidate as Config);
};
