// Traces across the stream: a PRODUCER span per published batch whose W3C context rides in each message's
// headers, and a CONSUMER span per handled batch that continues the first message's trace (linking the
// other traces in the batch), so a consumer's work is part of the request that produced the event.
import {
  contextFromHeaders,
  linkFromHeaders,
  SpanKind,
  type SpanLink,
  traceHeaders,
  tracingEnabled,
  withSpan,
} from '../../kernel/index.ts';
import type { BatchHandler, OutgoingMessage, StreamMessage } from './port.ts';

type System = 'quiver_log' | 'nats';

/** Runs `publish` in a PRODUCER span with the messages given their trace headers; as they are when off. */
export const tracedPublish = <T>(
  system: System,
  topic: string,
  messages: readonly OutgoingMessage[],
  publish: (messages: readonly OutgoingMessage[]) => Promise<T>,
): Promise<T> => {
  if (!tracingEnabled()) return publish(messages);
  const attributes = {
    'messaging.system': system,
    'messaging.operation.type': 'send',
    'messaging.destination.name': topic,
    'messaging.batch.message_count': messages.length,
  };
  return withSpan(
    `send ${topic.split('.')[0]}`,
    attributes,
    () => {
      const trace = traceHeaders();
      return publish(trace ? messages.map((m) => ({ ...m, headers: { ...m.headers, ...trace } })) : messages);
    },
    { kind: SpanKind.PRODUCER },
  );
};

/** Hands a fetched batch to `handler` inside a CONSUMER span continuing its first traced message. */
export const tracedHandle = (
  consumer: string,
  messages: readonly StreamMessage[],
  handler: BatchHandler,
): Promise<void> => {
  if (!tracingEnabled()) return handler(messages);
  const traced = messages.filter((m) => m.headers?.traceparent);
  const seen = new Set<string>();
  const links: SpanLink[] = [];
  for (const m of traced.slice(1)) {
    const parent = m.headers?.traceparent ?? '';
    if (parent === traced[0].headers?.traceparent || seen.has(parent)) continue;
    seen.add(parent);
    const link = linkFromHeaders(m.headers);
    if (link) links.push(link);
  }
  return withSpan(
    `process ${consumer}`,
    {
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': consumer,
      'messaging.batch.message_count': messages.length,
      'messaging.destination.name': messages[0]?.topic ?? '',
    },
    () => handler(messages),
    { kind: SpanKind.CONSUMER, parent: contextFromHeaders(traced[0]?.headers), links },
  );
};
