// The contract of a resource command (`quiver <resource> <action> …`) and what it is given to run.
import type { Api } from '../api.ts';
import type { Env } from '../profile.ts';

export interface CommandIo extends Env {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  signal?: AbortSignal;
}

export interface CommandContext {
  io: CommandIo;
  /** Built on first use, so `--help` and local actions need no server. */
  api(): Api;
  json: boolean;
  /** The global --url/--key/--profile as given (profile add stores them). */
  globals: { url?: string; key?: string; profile?: string };
  /** Options after the action, parsed by the action itself. */
  args: string[];
}

export interface Action {
  usage: string;
  summary: string;
  run(ctx: CommandContext): Promise<number>;
}

export interface Command {
  name: string;
  summary: string;
  actions: Record<string, Action>;
  /** Run when the command is given without an action name (e.g. `quiver search <query>`). */
  default?: string;
}
