// quiver items | events: the catalog and the event log.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, EXIT } from '../errors.ts';
import { json, table } from '../output.ts';
import { enc, int, jsonArg, parse, show } from './args.ts';
import type { Command, CommandContext } from './types.ts';

interface Item {
  id: string;
  title: string;
  categories?: string[];
  brand?: string;
  price?: { amount: number; currency: string };
  available?: boolean;
}

const itemTable = (rows: Item[]) =>
  table(rows, [
    { header: 'ID', value: (i) => i.id },
    { header: 'TITLE', value: (i) => i.title },
    { header: 'CATEGORY', value: (i) => i.categories?.[0] },
    { header: 'BRAND', value: (i) => i.brand },
    {
      header: 'PRICE',
      value: (i) => (i.price ? `${i.price.amount} ${i.price.currency}` : undefined),
      right: true,
    },
  ]);

/** `--data '<json>'` or `--file <path>` (JSON; `-` for stdin is not supported: pass a file). */
const bodyFrom = (ctx: CommandContext, values: { data?: string; file?: string }): unknown => {
  if (values.data !== undefined) return jsonArg('data', values.data);
  if (values.file !== undefined) {
    try {
      return JSON.parse(readFileSync(resolve(ctx.io.cwd, values.file), 'utf8'));
    } catch (error) {
      throw new CliError(`${values.file}: ${(error as Error).message}`, EXIT.input);
    }
  }
  throw new CliError('Give the body with --data <json> or --file <path>', EXIT.usage);
};

export const items: Command = {
  name: 'items',
  summary: 'the catalog: list, get, put, delete (bulk loads: quiver import)',
  actions: {
    list: {
      usage: 'quiver items list [--limit <n>] [--cursor <c>]',
      summary: 'a page of items',
      run: async (ctx) => {
        const { values } = parse(
          ctx,
          { limit: { type: 'string' }, cursor: { type: 'string' } },
          [],
          items.actions.list.usage,
        );
        const res = await ctx.api().request<{ items: Item[]; nextCursor: string | null }>({
          path: '/v1/items',
          query: { limit: int('limit', values.limit, 20), cursor: values.cursor },
        });
        return show(
          ctx,
          res,
          (r) => itemTable(r.items) + (r.nextCursor ? `next: --cursor ${r.nextCursor}\n` : ''),
        );
      },
    },
    get: {
      usage: 'quiver items get <id>',
      summary: 'one item, every field',
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<id>'], items.actions.get.usage);
        const res = await ctx.api().request<Item>({ path: `/v1/items/${enc(positionals[0])}` });
        return show(ctx, res, json);
      },
    },
    put: {
      usage: 'quiver items put <id> --data \'{"title": …}\' | --file item.json',
      summary: 'create or replace an item',
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          { data: { type: 'string' }, file: { type: 'string' } },
          ['<id>'],
          items.actions.put.usage,
        );
        const res = await ctx.api().request<Item>({
          method: 'PUT',
          path: `/v1/items/${enc(positionals[0])}`,
          body: bodyFrom(ctx, values),
        });
        return show(ctx, res, (i) => itemTable([i]));
      },
    },
    delete: {
      usage: 'quiver items delete <id>',
      summary: 'delete an item',
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<id>'], items.actions.delete.usage);
        await ctx.api().request({ method: 'DELETE', path: `/v1/items/${enc(positionals[0])}` });
        return show(ctx, { deleted: positionals[0] }, () => `deleted ${positionals[0]}\n`);
      },
    },
  },
};

interface LoggedEvent {
  position: number;
  event: { id: string; type: string; userId?: string; itemId?: string; timestamp: string };
}

export const events: Command = {
  name: 'events',
  summary: 'the event log: list (replay) and post',
  actions: {
    list: {
      usage: 'quiver events list [--after <position>] [--limit <n>]',
      summary: "the tenant's events in log order",
      run: async (ctx) => {
        const { values } = parse(
          ctx,
          { after: { type: 'string' }, limit: { type: 'string' } },
          [],
          events.actions.list.usage,
        );
        const res = await ctx.api().request<{ events: LoggedEvent[]; lastPosition: number }>({
          path: '/v1/events',
          query: { after: int('after', values.after, 0), limit: int('limit', values.limit, 20) },
        });
        return show(ctx, res, (r) =>
          table(r.events, [
            { header: 'POS', value: (e) => e.position, right: true },
            { header: 'TIME', value: (e) => e.event.timestamp },
            { header: 'TYPE', value: (e) => e.event.type },
            { header: 'USER', value: (e) => e.event.userId },
            { header: 'ITEM', value: (e) => e.event.itemId },
            { header: 'ID', value: (e) => e.event.id },
          ]),
        );
      },
    },
    post: {
      usage: 'quiver events post --data \'[{"id": …, "type": "view", …}]\' | --file events.json',
      summary: 'send up to 1,000 events (a JSON array, or {"events": […]}); files: quiver import',
      run: async (ctx) => {
        const { values } = parse(
          ctx,
          { data: { type: 'string' }, file: { type: 'string' } },
          [],
          events.actions.post.usage,
        );
        const body = bodyFrom(ctx, values);
        const res = await ctx.api().request<{ accepted: number; duplicates: number; rejected: number }>({
          path: '/v1/events',
          body: Array.isArray(body) ? { events: body } : body,
        });
        return show(
          ctx,
          res,
          (r) => `accepted ${r.accepted}, duplicates ${r.duplicates}, rejected ${r.rejected}\n`,
        );
      },
    },
  },
};
