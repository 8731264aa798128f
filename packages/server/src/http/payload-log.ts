// Opt-in sampled payload logging (QUIVER_PAYLOAD_LOG): for the routes named, a sampled share of requests gets
// a second log line, `payload`, with the request and response bodies. Headers are never logged; members
// named like secrets and any string that is a Quiver key (`qk_…`, `qo_…`, `qs_…`) or a bearer token are
// replaced by `[redacted]` wherever they sit; each body is cut at MAX_PAYLOAD_CHARS.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { traceIdOf, traceIdOfHeader } from '../kernel/index.ts';
import { sentText } from './sent-text.ts';

/** Longest serialized body kept per side; longer ones keep their head and say how long they were. */
export const MAX_PAYLOAD_CHARS = 4_096;
const REDACTED = '[redacted]';
const SECRET_NAME = /secret|password|passphrase|token|authorization|api[-_]?key|operator[-_]?key|cookie/i;
const SECRET_VALUE = /^(q[kos]_|bearer\s)/i;

/** Route template or concrete path → sampling rate in (0, 1]. */
export type PayloadLogRules = ReadonlyMap<string, number>;

/** `"/v1/search=0.01, /v1/endpoints/home/infer=1"` → rules (the format is checked by the config schema). */
export const parsePayloadLog = (setting: string): PayloadLogRules =>
  new Map(
    setting
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const at = entry.lastIndexOf('=');
        return [entry.slice(0, at).trim(), Number(entry.slice(at + 1))] as const;
      })
      .filter(([, rate]) => rate > 0),
  );

/** A copy of `value` with secret-named members and key-shaped strings replaced. */
export const redact = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') return SECRET_VALUE.test(value) ? REDACTED : value;
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_NAME.test(k) ? REDACTED : redact(v, depth + 1);
  return out;
};

const parsed = (payload: unknown): unknown => {
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
};

/** A body as it is logged: redacted JSON, or the size of what is not JSON (uploads, binary tensors). */
const shown = (body: unknown): unknown => {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return { bytes: body.byteLength };
  if (typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function')
    return { stream: true };
  const text = JSON.stringify(redact(parsed(body)));
  return text.length <= MAX_PAYLOAD_CHARS
    ? JSON.parse(text)
    : { truncated: true, chars: text.length, head: text.slice(0, MAX_PAYLOAD_CHARS) };
};

const rateFor = (rules: PayloadLogRules, request: FastifyRequest): number =>
  rules.get(request.url.split('?')[0]) ?? rules.get(request.routeOptions.url ?? '') ?? 0;

/** Registers the `payload` lines for `rules`; nothing at all when no route is named. */
export const registerPayloadLog = (
  app: FastifyInstance,
  rules: PayloadLogRules,
  random: () => number = Math.random,
): void => {
  if (rules.size === 0) return;
  const templates = new Set<string>();
  app.addHook('onRoute', (route) => {
    templates.add(route.url);
  });
  app.addHook('onReady', async () => {
    const unknown = [...rules.keys()].filter((r) => r.includes(':') && !templates.has(r));
    if (unknown.length > 0)
      app.log.warn({ routes: unknown }, 'QUIVER_PAYLOAD_LOG names route templates no route has');
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const rate = rateFor(rules, request);
    if (rate === 0 || random() >= rate) return payload;
    const traceId = request.span ? traceIdOf(request.span) : traceIdOfHeader(request.headers.traceparent);
    request.log.info(
      {
        ...(traceId ? { traceId } : {}),
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        request: shown(request.body),
        // JSON sent as bytes (POST /v1/search's answer) is logged as the JSON it is.
        response: shown(sentText(reply, payload) ?? payload),
      },
      'payload',
    );
    return payload;
  });
};
