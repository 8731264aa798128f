// In-process CPU of the inference module's per-request work on the main thread (process.cpuUsage, so other
// load on the machine weighs less than on throughput): reading an infer body into tensors, and writing an
// FP32 answer, each next to its same-run baseline, in interleaved rounds; medians of the rounds.
import { loadavg } from 'node:os';
import { parseInferJson } from '../packages/server/src/modules/inference/body.ts';
import { decodeInputs } from '../packages/server/src/modules/inference/decode.ts';
import { float32ArrayText } from '../packages/server/src/modules/inference/float-text.ts';
import { stringifyInferResponse } from '../packages/server/src/modules/inference/respond.ts';
import type { RequestInput } from '../packages/server/src/modules/inference/schemas.ts';
import { fmt, table } from './lib/report.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const N = Number(process.env.BENCH_ITERATIONS ?? 5_000);
const VARIANTS = 32;

/** Bodies as bench/inference.ts sends them: one row of floats rounded to 4 decimals. */
const bodies = (width: number) =>
  Array.from({ length: VARIANTS }, (_, b) =>
    Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: 'x',
            datatype: 'FP32',
            shape: [1, width],
            data: Array.from({ length: width }, (_, i) => Math.round(Math.sin(b * 7919 + i) * 1e4) / 1e4),
          },
        ],
      }),
    ),
  );

/** Model outputs: float32 values of one row. */
const outputs = (width: number) =>
  Array.from({ length: VARIANTS }, (_, b) =>
    Float32Array.from({ length: width }, (_, i) => Math.sin(b * 31 + i) * 3),
  );

/** CPU µs per call of `f` over N calls (after a warm-up). */
const cpuUs = (f: (i: number) => unknown): number => {
  for (let i = 0; i < 500; i++) f(i);
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) f(i);
  const d = process.cpuUsage(start);
  return (d.user + d.system) / N;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const answer = (data: unknown[]) => ({
  model_name: 'large',
  model_version: '1',
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1, data.length], data }],
});

export const main = async () => {
  console.log(
    `inference CPU in process: ${ROUNDS} interleaved rounds × ${fmt(N)} calls, medians; load average ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
  const large = bodies(1024);
  const small = bodies(384);
  const out256 = outputs(256);
  const arrays = out256.map((o) => Array.from(o));
  const cases: Record<string, (i: number) => unknown> = {
    'JSON.parse, 1,024 floats (baseline)': (i) => JSON.parse(large[i % VARIANTS].toString('utf8')),
    'body → tensors, 1,024 floats': (i) =>
      decodeInputs(
        (parseInferJson(large[i % VARIANTS].toString('utf8')) as { inputs: RequestInput[] }).inputs,
      ),
    'JSON.parse, 384 floats (baseline)': (i) => JSON.parse(small[i % VARIANTS].toString('utf8')),
    'body → tensors, 384 floats': (i) =>
      decodeInputs(
        (parseInferJson(small[i % VARIANTS].toString('utf8')) as { inputs: RequestInput[] }).inputs,
      ),
    '256 FP32 as widened doubles, JSON.stringify (baseline)': (i) =>
      JSON.stringify(Array.from(out256[i % VARIANTS])),
    '256 FP32, shortest float32 text': (i) => float32ArrayText(out256[i % VARIANTS]),
    'whole answer text, 256 FP32': (i) => stringifyInferResponse(answer(arrays[i % VARIANTS]) as never),
  };
  const results = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, f] of Object.entries(cases)) results.get(name)!.push(cpuUs(f));
  console.log(
    table(
      [...results].map(([name, xs]) => ({
        case: name,
        'CPU µs/call (median)': fmt(median(xs), 1),
        'rounds min–max': `${fmt(Math.min(...xs), 1)}–${fmt(Math.max(...xs), 1)}`,
      })),
    ),
  );
  const bytes = (s: string) => fmt(Buffer.byteLength(s));
  console.log(
    `256 FP32 text: ${bytes(JSON.stringify(arrays[0]))} bytes as widened doubles, ${bytes(float32ArrayText(out256[0]))} shortest`,
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
};
