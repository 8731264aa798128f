// Argument helpers shared by the resource commands.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliError, EXIT } from '../errors.ts';
import { json } from '../output.ts';
import type { CommandContext } from './types.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export const parse = <O extends Options>(
  ctx: CommandContext,
  options: O,
  positionals: string[],
  usage: string,
) => {
  const parsed = parseArgs({ args: ctx.args, options, allowPositionals: true, strict: true });
  if (parsed.positionals.length < positionals.length)
    throw new CliError(
      `Missing ${positionals.slice(parsed.positionals.length).join(' ')}\n\nUsage: ${usage}`,
      EXIT.usage,
    );
  return parsed;
};

export const int = (name: string, text: unknown, fallback?: number): number | undefined => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${name} must be a whole number`, EXIT.usage);
  return n;
};

export const jsonArg = (name: string, text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`--${name} is not JSON: ${(error as Error).message}`, EXIT.usage);
  }
};

/** Prints `value` as JSON with --json, else what `human` makes of it. */
export const show = <T>(ctx: CommandContext, value: T, human: (v: T) => string): number => {
  ctx.io.stdout.write(ctx.json ? json(value) : human(value));
  return 0;
};

export const enc = encodeURIComponent;
