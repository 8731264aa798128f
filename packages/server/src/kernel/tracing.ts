// Spans for every module through the OpenTelemetry API only: a no-op until src/tracing starts an SDK, and
// nearly free while off (one boolean test per call). W3C trace context in and out of header carriers.
import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

export {
  type Attributes as SpanAttributes,
  type Context as TraceContext,
  type Link as SpanLink,
  type Span,
  SpanKind,
  SpanStatusCode,
};

const tracer = trace.getTracer('quiver');
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
let enabled = false;

/** Set by the tracing setup (src/tracing) when an SDK is registered, and cleared when it shuts down. */
export const setTracingEnabled = (on: boolean): void => {
  enabled = on;
};

export const tracingEnabled = (): boolean => enabled;

export interface SpanOptions {
  kind?: SpanKind;
  /** Parent context instead of the active one (a consumer continuing a producer's trace). */
  parent?: Context;
  links?: Link[];
  /** Epoch milliseconds. */
  startTime?: number;
}

const recordFailure = (span: Span, e: unknown): void => {
  span.recordException(e instanceof Error ? e : String(e));
  span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
};

/**
 * Runs `fn` inside a new span (the active one while it runs, so spans it starts are its children), ended
 * when `fn` returns or its promise settles; a throw or rejection marks the span as an error.
 */
export const withSpan = <T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => T,
  options: SpanOptions = {},
): T => {
  if (!enabled) return fn(NOOP_SPAN);
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(
    name,
    { kind: options.kind, attributes, links: options.links, startTime: options.startTime },
    parent,
  );
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), fn, undefined, span);
  } catch (e) {
    recordFailure(span, e);
    span.end();
    throw e;
  }
  if (result instanceof Promise)
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (e: unknown) => {
        recordFailure(span, e);
        span.end();
        throw e;
      },
    ) as T;
  span.end();
  return result;
};

/** Starts a span the caller ends (HTTP requests, whose end is another hook); NOOP while tracing is off. */
export const startSpan = (name: string, attributes: Attributes, options: SpanOptions = {}): Span =>
  enabled
    ? tracer.startSpan(
        name,
        { kind: options.kind, attributes, links: options.links, startTime: options.startTime },
        options.parent ?? context.active(),
      )
    : NOOP_SPAN;

/**
 * A finished span from times measured elsewhere (a worker thread's run), as a child of `parent`;
 * `children` records its own children under it (given the context holding it).
 */
export const recordSpan = (
  name: string,
  attributes: Attributes,
  times: { startTime: number; endTime: number },
  parent: Context,
  children?: (ctx: Context) => void,
): void => {
  if (!enabled) return;
  const span = tracer.startSpan(name, { attributes, startTime: times.startTime }, parent);
  children?.(trace.setSpan(parent, span));
  span.end(times.endTime);
};

/** Adds attributes to the active span (tenant, model, cache hit…). */
export const annotate = (attributes: Attributes): void => {
  if (enabled) trace.getActiveSpan()?.setAttributes(attributes);
};

/** The active context to carry along (into a batch queue, across a thread); undefined while tracing is off. */
export const activeTraceContext = (): Context | undefined => (enabled ? context.active() : undefined);

/** Runs `fn` with `ctx` active (a stored context resumed in a callback). */
export const withTraceContext = <T>(ctx: Context | undefined, fn: () => T): T =>
  ctx ? context.with(ctx, fn) : fn();

/** `ctx` with `span` as its active span. */
export const contextWithSpan = (ctx: Context, span: Span): Context => trace.setSpan(ctx, span);

/** The active context (or `ctx`) as W3C `traceparent`/`tracestate` headers; undefined while off. */
export const traceHeaders = (ctx?: Context): Record<string, string> | undefined => {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx ?? context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
};

/** The remote context in W3C headers (HTTP, stream message headers), over the root context (not the active one). */
export const contextFromHeaders = (headers: Readonly<Record<string, unknown>> | undefined): Context => {
  if (!headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, {
    get: (carrier, key) => {
      const v = carrier[key];
      return typeof v === 'string' || Array.isArray(v) ? (v as string | string[]) : undefined;
    },
    keys: (carrier) => Object.keys(carrier),
  });
};

/** A link to the span in W3C headers (the other producers of a consumed batch), if they name one. */
export const linkFromHeaders = (headers: Readonly<Record<string, string>> | undefined): Link | undefined => {
  const spanContext = headers ? trace.getSpanContext(contextFromHeaders(headers)) : undefined;
  return spanContext ? { context: spanContext } : undefined;
};

/** The trace id of a context's span (for log lines), or undefined when it has none. */
export const traceIdOf = (span: Span): string | undefined => {
  const id = span.spanContext().traceId;
  return id === INVALID_SPAN_CONTEXT.traceId ? undefined : id;
};

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/** The trace id of a `traceparent` header, read without an SDK (log lines while tracing is off). */
export const traceIdOfHeader = (header: unknown): string | undefined => {
  if (typeof header !== 'string') return undefined;
  const id = TRACEPARENT.exec(header)?.[1];
  return id && id !== INVALID_SPAN_CONTEXT.traceId ? id : undefined;
};
