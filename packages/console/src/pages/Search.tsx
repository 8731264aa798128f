// Search playground: query, mode, filters, facets; each hit with the retrievers that found it and its score
// parts; synonyms and pin/hide rules editable.
import type { ScoreParts, SearchHit, SearchRequest, SearchResponse } from '@quiver/sdk';
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
  const [explain, setExplain] = useState(true);
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
                ...(explain ? { explain } : {}),
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
          <label className="check">
            <input type="checkbox" checked={explain} onChange={(e) => setExplain(e.target.checked)} /> Score
            parts (admin key)
          </label>
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

const num = (x: number) => x.toFixed(4);

/** The rows of a hit's score parts (explain: true): each retriever's score and rank, fusion, second phase. */
const partRows = (parts: ScoreParts): Array<[string, string]> => {
  const rows: Array<[string, string]> = [];
  if (parts.pinned) rows.push(['pinned', 'by a curation rule']);
  if (parts.keyword) rows.push(['keyword BM25', `${num(parts.keyword.bm25)} (rank ${parts.keyword.rank})`]);
  if (parts.vector)
    rows.push(['vector similarity', `${num(parts.vector.similarity)} (rank ${parts.vector.rank})`]);
  if (parts.fusion)
    rows.push([
      `fusion (${parts.fusion.method})`,
      `${num(parts.fusion.score)} = keyword ${num(parts.fusion.keyword)} + vector ${num(parts.fusion.vector)}`,
    ]);
  if (parts.secondPhase)
    rows.push([
      'second phase',
      `${num(parts.secondPhase.score)} by ${
        parts.secondPhase.ranker === 'model'
          ? `the ranker model${parts.secondPhase.variant ? ` (${parts.secondPhase.variant})` : ''}`
          : 'the built-in weights'
      }`,
    ]);
  if (parts.personalFactor !== undefined) rows.push(['personal boost', `× ${num(parts.personalFactor)}`]);
  return rows;
};

/** A hit's score, the retrievers that found it, and its score parts when the search asked for them. */
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
        {[
          ['score', num(hit.score)] as [string, string],
          ['rank', String(rank + 1)] as [string, string],
          ['mode', mode] as [string, string],
          ['found by', hit.retrievers.join(' + ') || 'browse'] as [string, string],
          ...(hit.scoreParts ? partRows(hit.scoreParts) : []),
        ].map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {!hit.scoreParts && (
        <p className="muted">
          Search with "Score parts" checked (an admin key) to see each retriever's part.
        </p>
      )}
    </details>
  </li>
);
