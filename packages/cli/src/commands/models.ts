// quiver models: the registry (list, versions, create, push FILE, alias) and `example`, which writes a small
// ONNX ranker built in code, for trying uploads, inference and rollouts without a training pipeline.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeModel, floatTensor, node, randomFloats, valueInfo } from '@quiver/server/onnx';
import { CliError, EXIT, HttpError } from '../errors.ts';
import { table } from '../output.ts';
import { enc, int, jsonArg, parse, show } from './args.ts';
import type { Command } from './types.ts';

interface Model {
  name: string;
  task: string | null;
  latestVersion: number | null;
  aliases: Record<string, number>;
}
interface Version {
  model: string;
  version: number;
  sha256: string;
  size: number;
  aliases: string[];
  createdAt: string;
  signature: { inputs: { name: string; datatype: string; shape: number[] }[]; outputs: { name: string }[] };
}

const aliases = (a: Record<string, number>) =>
  Object.entries(a)
    .map(([k, v]) => `${k}→${v}`)
    .join(' ');

const versionTable = (rows: Version[]) =>
  table(rows, [
    { header: 'MODEL', value: (v) => v.model },
    { header: 'VERSION', value: (v) => v.version, right: true },
    { header: 'ALIASES', value: (v) => v.aliases.join(',') },
    {
      header: 'INPUTS',
      value: (v) => v.signature.inputs.map((i) => `${i.name}:${i.datatype}[${i.shape}]`).join(' '),
    },
    { header: 'SIZE', value: (v) => v.size, right: true },
    { header: 'SHA256', value: (v) => v.sha256.slice(0, 12) },
  ]);

/** input `x` FP32 [batch, 3] → `y` FP32 [batch, 2] = x·W + b, weights from `seed`. */
export const exampleRanker = (seed: number): Buffer =>
  encodeModel({
    name: 'example-ranker',
    inputs: [valueInfo('x', 'FP32', ['batch', 3])],
    outputs: [valueInfo('y', 'FP32', ['batch', 2])],
    initializers: [
      floatTensor('W', [3, 2], randomFloats(6, seed)),
      floatTensor('b', [2], randomFloats(2, seed + 1)),
    ],
    nodes: [node('MatMul', ['x', 'W'], ['xw']), node('Add', ['xw', 'b'], ['y'])],
  });

export const models: Command = {
  name: 'models',
  summary: 'the model registry: list, versions, create, push FILE, alias, example',
  actions: {
    list: {
      usage: 'quiver models list',
      summary: 'models with their latest version and aliases',
      run: async (ctx) => {
        const res = await ctx
          .api()
          .request<{ models: Model[] }>({ path: '/v1/models', query: { limit: 1000 } });
        return show(ctx, res, (r) =>
          table(r.models, [
            { header: 'NAME', value: (m) => m.name },
            { header: 'TASK', value: (m) => m.task },
            { header: 'LATEST', value: (m) => m.latestVersion, right: true },
            { header: 'ALIASES', value: (m) => aliases(m.aliases) },
          ]),
        );
      },
    },
    versions: {
      usage: 'quiver models versions <name>',
      summary: "a model's versions and signatures",
      run: async (ctx) => {
        const { positionals } = parse(ctx, {}, ['<name>'], models.actions.versions.usage);
        const res = await ctx
          .api()
          .request<{ versions: Version[] }>({ path: `/v1/models/${enc(positionals[0])}/versions` });
        return show(ctx, res, (r) => versionTable(r.versions));
      },
    },
    create: {
      usage: 'quiver models create <name> [--task <task>] [--description <text>]',
      summary: 'a new model (push creates it too)',
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          { task: { type: 'string' }, description: { type: 'string' } },
          ['<name>'],
          models.actions.create.usage,
        );
        const res = await ctx
          .api()
          .request<Model>({ path: '/v1/models', body: { name: positionals[0], ...values } });
        return show(ctx, res, (m) => `created model ${m.name}\n`);
      },
    },
    push: {
      usage: "quiver models push <name> <file.onnx> [--metadata '<json>'] [--alias champion]",
      summary: 'upload a version (validated by the server in onnxruntime); creates the model if needed',
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          { metadata: { type: 'string' }, alias: { type: 'string' } },
          ['<name>', '<file>'],
          models.actions.push.usage,
        );
        const [name, file] = positionals;
        let bytes: Buffer;
        try {
          bytes = readFileSync(resolve(ctx.io.cwd, file));
        } catch (error) {
          throw new CliError(`${file}: ${(error as Error).message}`, EXIT.input);
        }
        const metadata = jsonArg('metadata', values.metadata);
        const api = ctx.api();
        await api.request({ path: '/v1/models', body: { name } }).catch((error: unknown) => {
          if (!(error instanceof HttpError && error.status === 409)) throw error;
        });
        const version = await api.request<Version>({
          path: `/v1/models/${enc(name)}/versions`,
          bytes,
          headers: metadata === undefined ? {} : { 'quiver-model-metadata': JSON.stringify(metadata) },
          timeoutMs: 10 * 60_000,
        });
        if (values.alias)
          await api.request({
            method: 'PUT',
            path: `/v1/models/${enc(name)}/aliases/${enc(values.alias)}`,
            body: { version: version.version },
          });
        return show(ctx, version, (v) =>
          versionTable([{ ...v, aliases: values.alias ? [values.alias] : v.aliases }]),
        );
      },
    },
    alias: {
      usage: 'quiver models alias <name> <alias> <version>',
      summary: 'point an alias (champion, …) at a version',
      run: async (ctx) => {
        const { positionals } = parse(
          ctx,
          {},
          ['<name>', '<alias>', '<version>'],
          models.actions.alias.usage,
        );
        const [name, alias, version] = positionals;
        const res = await ctx.api().request<Model>({
          method: 'PUT',
          path: `/v1/models/${enc(name)}/aliases/${enc(alias)}`,
          body: { version: int('version', version) },
        });
        return show(ctx, res, (m) => `${m.name}: ${aliases(m.aliases)}\n`);
      },
    },
    example: {
      usage: 'quiver models example <file.onnx> [--seed <n>]',
      summary: 'write a small linear ranker (x FP32 [batch, 3] → y FP32 [batch, 2]) to try uploads with',
      run: async (ctx) => {
        const { values, positionals } = parse(
          ctx,
          { seed: { type: 'string' } },
          ['<file>'],
          models.actions.example.usage,
        );
        const file = resolve(ctx.io.cwd, positionals[0]);
        const bytes = exampleRanker(int('seed', values.seed, 1) ?? 1);
        writeFileSync(file, bytes);
        return show(ctx, { file, bytes: bytes.length }, (r) => `wrote ${r.file} (${r.bytes} bytes)\n`);
      },
    },
  },
};
