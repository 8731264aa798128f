// Catalog and events: browse or search items, a live tail of incoming events, an entity's online features.
import type { FeaturesResponse, Item, StoredEvent } from '@quiver/sdk';
import { useEffect, useRef, useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Field, Json, Loading, Panel } from '../components/Panel.tsx';
import { firstPage, useAction, useLoad } from '../hooks.ts';
import type { PageProps } from './types.ts';

const TAIL_MS = 2_000;
const TAIL_KEEP = 50;

const priceOf = (price: Item['price']): string =>
  price === undefined || price === null
    ? '–'
    : typeof price === 'object'
      ? `${price.amount} ${price.currency}`
      : String(price);

export const Catalog = ({ session }: PageProps) => (
  <div className="stack">
    <Items session={session} />
    <div className="columns">
      <EventTail session={session} />
      <OnlineFeatures session={session} />
    </div>
  </div>
);

const Items = ({ session }: PageProps) => {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Item[]>();
  const browse = useLoad(
    async () => (await firstPage(session.quiver.items.list({ limit: 25 }))).items,
    [session],
  );
  const search = useAction();
  const items = found ?? browse.data ?? [];
  return (
    <Panel title="Items">
      <form
        className="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!query.trim()) return setFound(undefined);
          const answer = await search.run(() =>
            session.quiver.search.query({ query, limit: 25, mode: 'keyword' }),
          );
          if (answer) setFound(answer.hits.map((h) => h.item));
        }}
      >
        <Field label="Find items">
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        </Field>
        <button type="submit">Find</button>
      </form>
      <ErrorBox error={browse.error ?? search.error} />
      <Loading when={browse.loading && !browse.data} />
      <table>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Title</th>
            <th scope="col">Category</th>
            <th scope="col">Price</th>
            <th scope="col">Available</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              <td>{item.id}</td>
              <td>{item.title}</td>
              <td>{item.categories?.join(', ')}</td>
              <td>{priceOf(item.price)}</td>
              <td>{item.available === false ? 'no' : 'yes'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
};

/** Polls the event log from the position it started at: only new events appear. */
const EventTail = ({ session }: PageProps) => {
  const [events, setEvents] = useState<{ position: number; event: StoredEvent }[]>([]);
  const [error, setError] = useState<unknown>();
  const after = useRef<number | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const poll = async () => {
      try {
        const page = await firstPage(session.quiver.events.list({ after: after.current ?? 0, limit: 100 }));
        if (!live) return;
        after.current = page.lastPosition;
        if (page.events.length > 0)
          setEvents((old) => [...page.events.reverse(), ...old].slice(0, TAIL_KEEP));
        setError(undefined);
      } catch (e) {
        if (live) setError(e);
      }
    };
    void poll();
    const timer = setInterval(poll, TAIL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [session]);
  return (
    <Panel title="Live events">
      <ErrorBox error={error} />
      <ol className="tail" aria-live="polite" data-testid="event-tail">
        {events.map(({ position, event }) => (
          <li key={position}>
            <code>{new Date(event.receivedAt).toLocaleTimeString()}</code> {event.type} · user {event.userId}
            {event.itemId ? ` · item ${event.itemId}` : ''}
          </li>
        ))}
        {events.length === 0 && <li className="muted">Waiting for events…</li>}
      </ol>
    </Panel>
  );
};

const OnlineFeatures = ({ session }: PageProps) => {
  const [service, setService] = useState('');
  const [entity, setEntity] = useState<'userId' | 'itemId'>('userId');
  const [id, setId] = useState('');
  const [answer, setAnswer] = useState<FeaturesResponse>();
  const read = useAction();
  return (
    <Panel title="Online features">
      <form
        className="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          const got = await read.run(() =>
            session.quiver.features.online({ featureService: service, entities: { [entity]: [id] } }),
          );
          if (got) setAnswer(got);
        }}
      >
        <Field label="Feature service">
          <input value={service} onChange={(e) => setService(e.target.value)} required />
        </Field>
        <Field label="Entity">
          <select value={entity} onChange={(e) => setEntity(e.target.value as typeof entity)}>
            <option value="userId">user</option>
            <option value="itemId">item</option>
          </select>
        </Field>
        <Field label="Id">
          <input value={id} onChange={(e) => setId(e.target.value)} required />
        </Field>
        <button type="submit">Read</button>
      </form>
      <ErrorBox error={read.error} />
      {answer && <Json value={answer} />}
    </Panel>
  );
};
