// quiver tenants | keys: tenants (operator key) and their API keys (operator or the tenant's admin).
import { fields, table } from '../output.ts';
import { enc, parse, show } from './args.ts';
import type { Command } from './types.ts';

interface Tenant {
  id: string;
  name: string;
  createdAt?: string;
}
interface Key {
  id: string;
  name: string;
  scopes: string[];
  expiresAt: string | null;
  revokedAt?: string | null;
}

const tenantTable = (rows: Tenant[]) =>
  table(rows, [
    { header: 'ID', value: (t) => t.id },
    { header: 'NAME', value: (t) => t.name },
    { header: 'CREATED', value: (t) => t.createdAt },
  ]);

export const tenants: Command = {
  name: 'tenants',
  summary: 'list, create and read tenants (operator key)',
  actions: {
    list: {
      usage: 'quiver tenants list',
      summary: 'every tenant',
      run: async (ctx) => {
        const res = await ctx
          .api()
          .request<{ tenants: Tenant[] }>({ path: '/v1/tenants', query: { limit: 1000 } });
        return show(ctx, res, (r) => tenantTable(r.tenants));
      },
    },
    create: {
      usage: 'quiver tenants create <id> [--name <name>]',
      summary: 'a new tenant',
      run: async (ctx) => {
        const usage = tenants.actions.create.usage;
        const { values, positionals } = parse(ctx, { name: { type: 'string' } }, ['<id>'], usage);
        const [id] = positionals;
        const res = await ctx
          .api()
          .request<Tenant>({ path: '/v1/tenants', body: { id, name: values.name ?? id } });
        return show(ctx, res, (t) => tenantTable([t]));
      },
    },
    get: {
      usage: 'quiver tenants get <id>',
      summary: 'one tenant',
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<id>'], tenants.actions.get.usage);
        const res = await ctx.api().request<Tenant>({ path: `/v1/tenants/${enc(positionals[0])}` });
        return show(ctx, res, (t) => fields(Object.entries(t)));
      },
    },
  },
};

const keyTable = (rows: Key[]) =>
  table(rows, [
    { header: 'ID', value: (k) => k.id },
    { header: 'NAME', value: (k) => k.name },
    { header: 'SCOPES', value: (k) => k.scopes.join(',') },
    { header: 'EXPIRES', value: (k) => k.expiresAt },
    { header: 'REVOKED', value: (k) => k.revokedAt },
  ]);

export const keys: Command = {
  name: 'keys',
  summary: "a tenant's API keys: list, create (secret shown once), revoke",
  actions: {
    list: {
      usage: 'quiver keys list <tenant>',
      summary: 'the keys, never their secrets',
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<tenant>'], keys.actions.list.usage);
        const res = await ctx
          .api()
          .request<{ keys: Key[] }>({ path: `/v1/tenants/${enc(positionals[0])}/keys` });
        return show(ctx, res, (r) => keyTable(r.keys));
      },
    },
    create: {
      usage:
        'quiver keys create <tenant> --name <name> [--scopes admin|catalog:read,search,…] [--expires <date-time>]',
      summary: 'a new key; its secret is printed once',
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          { name: { type: 'string' }, scopes: { type: 'string' }, expires: { type: 'string' } },
          ['<tenant>'],
          keys.actions.create.usage,
        );
        const body = {
          name: values.name ?? 'cli',
          scopes: (values.scopes ?? 'admin').split(',').map((s) => s.trim()),
          ...(values.expires ? { expiresAt: values.expires } : {}),
        };
        const res = await ctx
          .api()
          .request<{ key: Key; secret: string }>({ path: `/v1/tenants/${enc(positionals[0])}/keys`, body });
        return show(ctx, res, (r) => `${keyTable([r.key])}\nsecret (shown only now): ${r.secret}\n`);
      },
    },
    revoke: {
      usage: 'quiver keys revoke <tenant> <key id>',
      summary: 'revoke at once',
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<tenant>', '<key id>'], keys.actions.revoke.usage);
        const [tenant, id] = positionals;
        await ctx.api().request({ method: 'DELETE', path: `/v1/tenants/${enc(tenant)}/keys/${enc(id)}` });
        return show(ctx, { revoked: id }, () => `revoked ${id}\n`);
      },
    },
  },
};
