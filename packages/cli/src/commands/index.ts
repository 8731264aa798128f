// The resource commands, in the order `quiver --help` lists them, and their dispatcher.
import { parseArgs } from 'node:util';
import { createApi } from '../api.ts';
import { CliError, EXIT } from '../errors.ts';
import { resolveTarget } from '../profile.ts';
import { events, items } from './catalog.ts';
import { endpoints } from './endpoints.ts';
import { models } from './models.ts';
import { profile } from './profile.ts';
import { recommend, search, trainers } from './serving.ts';
import { keys, tenants } from './tenants.ts';
import type { Command, CommandIo } from './types.ts';
import { usage } from './usage.ts';

export const COMMANDS: Command[] = [
  profile,
  tenants,
  keys,
  items,
  events,
  models,
  endpoints,
  trainers,
  search,
  recommend,
  usage,
];

export const commandUsage = (c: Command): string => {
  const width = Math.max(...Object.keys(c.actions).map((a) => a.length));
  const lines = Object.entries(c.actions).map(
    ([name, a]) => `  ${name.padEnd(width)}  ${a.summary}\n      ${a.usage}`,
  );
  return `Usage: quiver ${c.name} <action> [options]   (${c.summary})\n\nActions:\n${lines.join('\n')}\n\n${GLOBAL_OPTIONS}`;
};

export const GLOBAL_OPTIONS = `Options for every command:
  --url <url>        server (default: $QUIVER_URL, the profile's, or http://localhost:8080)
  --key <key>        API key (default: $QUIVER_KEY, the profile's, or the demo key in data/credentials.json)
  --profile <name>   a profile from the config file (default: $QUIVER_PROFILE or the current one)
  --json             print the server's JSON answer instead of a table
  -h, --help         this help
`;

const GLOBAL = {
  url: { type: 'string' },
  key: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Takes the global options out wherever they appear; leaves the action's own arguments in order. */
const splitGlobals = (argv: string[]) => {
  const rest: string[] = [];
  const globals: { url?: string; key?: string; profile?: string; json?: boolean; help?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0] : arg === '-h' ? 'help' : '';
    if (name in GLOBAL) {
      const { values } = parseArgs({
        args:
          GLOBAL[name as keyof typeof GLOBAL].type === 'string' && !arg.includes('=')
            ? [arg, argv[++i] ?? '']
            : [arg],
        options: GLOBAL,
        strict: true,
      });
      Object.assign(globals, values);
    } else rest.push(arg);
  }
  return { globals, rest };
};

export const runCommand = async (command: Command, argv: string[], io: CommandIo): Promise<number> => {
  const { globals, rest } = splitGlobals(argv);
  const named = rest[0] !== undefined && rest[0] in command.actions;
  const actionName = named ? rest[0] : command.default;
  if (!actionName) {
    if (globals.help || rest.length === 0) {
      io.stdout.write(commandUsage(command));
      return 0;
    }
    throw new CliError(
      `Unknown action '${rest[0]}' of ${command.name}\n\n${commandUsage(command)}`,
      EXIT.usage,
    );
  }
  const action = command.actions[actionName];
  if (globals.help) {
    io.stdout.write(`Usage: ${action.usage}\n\n${action.summary}\n\n${GLOBAL_OPTIONS}`);
    return 0;
  }
  let api: ReturnType<typeof createApi> | undefined;
  return action.run({
    io,
    json: globals.json ?? false,
    globals: { url: globals.url, key: globals.key, profile: globals.profile },
    args: named ? rest.slice(1) : rest,
    api: () => {
      api ??= createApi(resolveTarget(io, globals));
      return api;
    },
  });
};
