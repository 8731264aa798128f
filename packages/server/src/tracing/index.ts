// The OpenTelemetry SDK for the process, configured by the standard OTEL_* variables (OTLP over HTTP by
// default): off unless OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER names an
// exporter, so a default start loads none of it. The sampler is OTEL_TRACES_SAMPLER/_ARG (parent-based ratio).
import { context, propagation, trace } from '@opentelemetry/api';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setTracingEnabled } from '../kernel/index.ts';

export interface TracingOptions {
  /** The environment to read OTEL_* from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Span processors instead of the exporter the environment names (tests: an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
  /** A sampler instead of OTEL_TRACES_SAMPLER's. */
  sampler?: Sampler;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is buffered and unregisters the SDK. */
  shutdown(): Promise<void>;
}

const DEFAULT_SERVICE_NAME = 'quiver';

/** True when the environment asks for traces: an OTLP endpoint, or an exporter other than `none`. */
export const tracingRequested = (env: Readonly<Record<string, string | undefined>>): boolean => {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim());
  if (exporters.includes('none')) return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || exporters.some(Boolean),
  );
};

const OFF: Tracing = { enabled: false, shutdown: async () => {} };

/** Starts the SDK when asked (see above); the kernel's span helpers record from then on. */
export const startTracing = async (options: TracingOptions = {}): Promise<Tracing> => {
  const env = options.env ?? process.env;
  if (!options.spanProcessors && !tracingRequested(env)) return OFF;
  // Loaded only when tracing is on: the SDK pulls in every exporter it can build from the environment.
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    ...(env.OTEL_SERVICE_NAME ? {} : { serviceName: DEFAULT_SERVICE_NAME }),
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    ...(options.sampler ? { sampler: options.sampler } : {}),
    // Traces only: metrics stay on /metrics (Prometheus), logs on stdout.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  setTracingEnabled(true);
  return {
    enabled: true,
    async shutdown() {
      setTracingEnabled(false);
      await sdk.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
};
