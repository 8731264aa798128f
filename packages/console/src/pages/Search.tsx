// Search playground: query, mode, filters, facets; each hit with the retrievers that found it and its score
// parts; synonyms and pin/hide rules editable.
import type { SearchHit, SearchRequest, SearchResponse } from '@quiver/sdk';
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Field, Panel } from '../components/Panel.tsx';
import { useAction } from '../hooks.ts';
import { RulesEditor } from './RulesEditor.tsx';
import type { PageProps } from './types.ts';

const FACETS = ['brand', 'category', 'available', 'price'];

export const Search = ({ session }: PageProps) => {
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<NonNullable<SearchRequest['mode']>>('hybrid');
  const [filters, setFilters] = useState('');
  const [result, setResult] = useState<SearchResponse>();
  const search = useAction();
  return (
    <div className="stack">
      <Panel title="Query">
        <form
          className="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            const answer = await search.run(async () =>
              session.quiver.search.query({
                query,
                mode,
                facets: FACETS,
                limit: 20,
                ...(filters.trim() ? { filters: JSON.parse(filters) } : {}),
              }),
            );
            if (answer) setResult(answer);
          }}
        >
          <Field label="Query">
            <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
          </Field>
          <Field label="Mode">
            <select value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
              <option value="hybrid">hybrid</option>
              <option value="keyword">keyword</option>
              <option value="vector">vector</option>
            </select>
          </Field>
          <Field label='Filters (JSON, e.g. {"available": true})'>
            <input value={filters} onChange={(e) => setFilters(e.target.value)} />
          </Field>
          <button type="submit" disabled={search.busy}>
            Search
          </button>
        </form>
        <ErrorBox error={search.error} />
      </Panel>
      {result && <Results result={result} />}
      <RulesEditor session={session} />
    </div>
  );
};

const Results = ({ result }: { result: SearchResponse }) => (
  <div className="columns">
    <Panel title={`${result.total} matches (${result.mode})`}>
      {result.notices.map((n) => (
        <p key={n} className="notice" role="status">
          {n}
        </p>
      ))}
      <ol className="hits">
        {result.hits.map((hit, rank) => (
          <Hit key={hit.item.id} hit={hit} rank={rank} mode={result.mode} />
        ))}
      </ol>
    </Panel>
    <Panel title="Facets">
      {Object.entries(result.facets).map(([facet, counts]) => (
        <div key={facet}>
          <h3>{facet}</h3>
          <ul className="facet">
            {counts.slice(0, 8).map((c) => (
              <li key={c.value}>
                {c.value} <span className="muted">{c.count}</span>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </Panel>
  </div>
);

/** What the API tells about a hit's score: the fused score, the retrievers that found it and its rank. */
const Hit = ({ hit, rank, mode }: { hit: SearchHit; rank: number; mode: string }) => (
  <li className="hit" data-testid="hit">
    <div>
      <strong>{hit.item.title}</strong> <span className="muted">{hit.item.id}</span>{' '}
      {hit.retrievers.map((r) => (
        <span key={r} className={`badge ${r}`}>
          {r}
        </span>
      ))}
    </div>
    <details>
      <summary>Score parts</summary>
      <dl className="facts" data-testid="score-parts">
        <div>
          <dt>score</dt>
          <dd>{hit.score.toFixed(4)}</dd>
        </div>
        <div>
          <dt>rank</dt>
          <dd>{rank + 1}</dd>
        </div>
        <div>
          <dt>mode</dt>
          <dd>{mode}</dd>
        </div>
        <div>
          <dt>found by</dt>
          <dd>{hit.retrievers.join(' + ') || 'browse'}</dd>
        </div>
      </dl>
      <p className="muted">
        The score is{' '}
        {hit.retrievers.length > 1
          ? 'the fusion of both retrievers'
          : `from ${hit.retrievers[0] ?? 'the browse order'}`}
        ; the API does not split it per retriever yet.
      </p>
    </details>
  </li>
);
