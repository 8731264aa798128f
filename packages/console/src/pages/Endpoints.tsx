// Endpoints: routes with weight sliders, shadows with their divergence, fallbacks, revision history.
import type { Endpoint, PutEndpoint } from '@quiver/sdk';
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { format } from '../components/LineChart.tsx';
import { Loading, Panel } from '../components/Panel.tsx';
import { useAction, useLoad } from '../hooks.ts';
import { EndpointPicker, targetName, useEndpointChoice } from './EndpointPicker.tsx';
import type { PageProps } from './types.ts';

export const Endpoints = ({ session }: PageProps) => {
  const choice = useEndpointChoice(session);
  const name = choice.value;
  return (
    <>
      <EndpointPicker {...choice} />
      {name && <EndpointDetail key={name} session={session} name={name} />}
    </>
  );
};

const definitionOf = ({ name, revision, createdAt, updatedAt, ...definition }: Endpoint): PutEndpoint =>
  definition;

const EndpointDetail = ({ session, name }: PageProps & { name: string }) => {
  const { quiver } = session;
  const endpoint = useLoad(() => quiver.endpoints.get(name), [quiver, name]);
  const stats = useLoad(() => quiver.endpoints.stats(name), [quiver, name], 5_000);
  const history = useLoad(() => quiver.endpoints.history(name), [quiver, name]);
  const save = useAction();
  const [weights, setWeights] = useState<number[]>();
  const ep = endpoint.data;
  const current = weights ?? ep?.routes.map((r) => r.weight) ?? [];
  const sum = current.reduce((s, w) => s + w, 0);
  return (
    <div className="stack">
      <ErrorBox error={endpoint.error} />
      <Loading when={endpoint.loading && !ep} />
      {ep && (
        <Panel title={`Routes (revision ${ep.revision})`}>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              const routes = ep.routes.map((r, i) => ({ ...r, weight: current[i] }));
              const saved = await save.run(() => quiver.endpoints.put(name, { ...definitionOf(ep), routes }));
              if (saved) {
                setWeights(undefined);
                endpoint.reload();
                history.reload();
              }
            }}
          >
            {ep.routes.map((r, i) => {
              const label = r.variant ?? targetName(r);
              return (
                <div className="slider" key={label}>
                  <label htmlFor={`w-${i}`}>{label}</label>
                  <input
                    id={`w-${i}`}
                    type="range"
                    min={0}
                    max={100}
                    step={1}
                    value={current[i]}
                    onChange={(e) =>
                      setWeights(current.map((w, j) => (j === i ? Number(e.target.value) : w)))
                    }
                  />
                  <output htmlFor={`w-${i}`} data-testid={`share-${label}`}>
                    {sum > 0 ? Math.round((current[i] / sum) * 100) : 0}%
                  </output>
                </div>
              );
            })}
            <button type="submit" disabled={save.busy || weights === undefined}>
              Apply weights
            </button>
          </form>
          <ErrorBox error={save.error} />
          <p className="muted">
            Sticky by {ep.stickyBy ?? 'request'}; fallbacks:{' '}
            {(ep.fallback ?? []).map(targetName).join(' → ') || 'none'}.
          </p>
        </Panel>
      )}
      <Panel title="Traffic and shadows">
        <ErrorBox error={stats.error} />
        {stats.data && (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Variant</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Error rate</th>
                  <th scope="col">p50 / p99</th>
                  <th scope="col">As fallback</th>
                </tr>
              </thead>
              <tbody>
                {stats.data.variants.map((v) => (
                  <tr key={v.variant}>
                    <td>{v.variant}</td>
                    <td>{v.requests}</td>
                    <td>{format(v.errorRate)}</td>
                    <td>
                      {format(v.p50Ms)} / {format(v.p99Ms, ' ms')}
                    </td>
                    <td>{v.degraded}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {stats.data.shadows.length > 0 && (
              <table>
                <caption>Shadows: divergence from the answering version</caption>
                <thead>
                  <tr>
                    <th scope="col">Primary → shadow</th>
                    <th scope="col">Requests</th>
                    <th scope="col">Mean |diff|</th>
                    <th scope="col">Top-k overlap</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.data.shadows.map((s) => (
                    <tr key={`${s.primary}-${s.shadow}`}>
                      <td>
                        {s.primary} → {s.shadow}
                      </td>
                      <td>{s.requests}</td>
                      <td>{format(s.meanAbsDiff)}</td>
                      <td>{format(s.topKOverlap)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Panel>
      <Panel title="History">
        <ErrorBox error={history.error} />
        <ol className="history" data-testid="history">
          {history.data?.revisions
            .slice()
            .reverse()
            .map((r) => (
              <li key={r.revision}>
                <strong>r{r.revision}</strong> {r.reason} · {new Date(r.at).toLocaleString()} ·{' '}
                {r.routes.map((x) => `${x.variant ?? targetName(x)}=${x.weight}`).join(', ')}
              </li>
            ))}
        </ol>
      </Panel>
    </div>
  );
};
