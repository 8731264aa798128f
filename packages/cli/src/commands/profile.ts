// quiver profile: named server URLs and keys in the config file (0600), and which one is current.
import { CliError, EXIT } from '../errors.ts';
import { table } from '../output.ts';
import { configPath, readConfig, writeConfig } from '../profile.ts';
import { parse, show } from './args.ts';
import type { Command } from './types.ts';

const mask = (key: string | undefined) => (key ? `${key.slice(0, 10)}…` : undefined);

export const profile: Command = {
  name: 'profile',
  summary: 'profiles (URL + key) in ~/.config/quiver/config.json ($QUIVER_CONFIG): list, add, use, remove',
  actions: {
    list: {
      usage: 'quiver profile list',
      summary: 'profiles, keys masked; * marks the current one',
      run: async (ctx) => {
        const config = readConfig(ctx.io);
        const rows = Object.entries(config.profiles).map(([name, p]) => ({ name, ...p }));
        return show(
          ctx,
          {
            file: configPath(ctx.io),
            current: config.current ?? null,
            profiles: rows.map((r) => ({ ...r, key: mask(r.key) })),
          },
          (r) =>
            `${r.file}\n${table(r.profiles, [
              { header: '', value: (p) => (p.name === r.current ? '*' : ' ') },
              { header: 'NAME', value: (p) => p.name },
              { header: 'URL', value: (p) => p.url },
              { header: 'KEY', value: (p) => p.key },
            ])}`,
        );
      },
    },
    add: {
      usage: 'quiver profile add <name> --url <url> [--key <key>] [--use]',
      summary: 'add or replace a profile (--use makes it current)',
      run: async (ctx) => {
        // --url and --key are the global options: taken from ctx.globals.
        const { values: flags, positionals } = parse(
          ctx,
          { use: { type: 'boolean' } },
          ['<name>'],
          profile.actions.add.usage,
        );
        const values = { ...ctx.globals, use: flags.use };
        if (!values.url) throw new CliError('--url is required', EXIT.usage);
        const config = readConfig(ctx.io);
        config.profiles[positionals[0]] = { url: values.url, ...(values.key ? { key: values.key } : {}) };
        if (values.use || !config.current) config.current = positionals[0];
        const file = writeConfig(ctx.io, config);
        return show(
          ctx,
          { file, current: config.current },
          (r) => `saved to ${r.file} (mode 0600); current: ${r.current}\n`,
        );
      },
    },
    use: {
      usage: 'quiver profile use <name>',
      summary: 'make a profile current',
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<name>'], profile.actions.use.usage);
        const config = readConfig(ctx.io);
        if (!config.profiles[positionals[0]])
          throw new CliError(`No profile '${positionals[0]}'`, EXIT.usage);
        config.current = positionals[0];
        writeConfig(ctx.io, config);
        return show(ctx, { current: config.current }, (r) => `current: ${r.current}\n`);
      },
    },
    remove: {
      usage: 'quiver profile remove <name>',
      summary: 'delete a profile',
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<name>'], profile.actions.remove.usage);
        const config = readConfig(ctx.io);
        delete config.profiles[positionals[0]];
        if (config.current === positionals[0]) config.current = undefined;
        writeConfig(ctx.io, config);
        return show(ctx, { removed: positionals[0] }, (r) => `removed ${r.removed}\n`);
      },
    },
  },
};
