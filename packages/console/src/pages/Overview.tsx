// Live figures over the last hour from GET /v1/stats/series, refreshed every few seconds.
import type { StatsSeries } from '@quiver/contracts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { format, LineChart } from '../components/LineChart.tsx';
import { Loading, Panel } from '../components/Panel.tsx';
import { useLoad } from '../hooks.ts';
import { statsSeries } from '../session.ts';
import type { PageProps } from './types.ts';

export const REFRESH_MS = 3_000;

const pick = (s: StatsSeries, key: keyof StatsSeries['points'][number]) =>
  s.points.map((p) => p[key] as number | null);

export const Overview = ({ session }: PageProps) => {
  const stats = useLoad(() => statsSeries(session.quiver, 60), [session], REFRESH_MS);
  const s = stats.data;
  const total = s ? s.points.reduce((n, p) => n + p.requests, 0) : 0;
  return (
    <>
      <ErrorBox error={stats.error} />
      <Loading when={stats.loading && !s} />
      {s && (
        <>
          <p className="muted" aria-live="polite">
            Last hour in {s.windowS} s windows, all replicas{s.scope === 'tenant' ? ', your tenant only' : ''}
            : <strong data-testid="total-requests">{total}</strong> requests.
          </p>
          <div className="charts">
            <LineChart
              title="Requests/s"
              series={[{ name: 'req/s', values: pick(s, 'requestsPerS'), color: '#1d4ed8' }]}
            />
            <LineChart
              title="Latency"
              unit=" ms"
              series={[
                { name: 'p50', values: pick(s, 'p50Ms'), color: '#047857' },
                { name: 'p99', values: pick(s, 'p99Ms'), color: '#b45309' },
              ]}
            />
            <LineChart
              title="Error rate"
              series={[{ name: '5xx', values: pick(s, 'errorRate'), color: '#b91c1c' }]}
            />
            <LineChart
              title="Cache hit ratio"
              series={[{ name: 'hits', values: pick(s, 'cacheHitRatio'), color: '#6d28d9' }]}
            />
            <LineChart
              title="Batch size"
              series={[{ name: 'rows', values: pick(s, 'meanBatchSize'), color: '#0e7490' }]}
            />
            <LineChart
              title="Stream lag"
              series={[{ name: 'events', values: pick(s, 'streamLag'), color: '#9d174d' }]}
            />
          </div>
          <Panel title="Compute per tenant (last hour)">
            <table>
              <thead>
                <tr>
                  <th scope="col">Tenant</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Server time</th>
                </tr>
              </thead>
              <tbody>
                {s.tenants.map((t) => (
                  <tr key={t.tenantId}>
                    <td>{t.tenantId}</td>
                    <td>{t.requests}</td>
                    <td>{format(t.computeMs / 1000, ' s')}</td>
                  </tr>
                ))}
                {s.tenants.length === 0 && (
                  <tr>
                    <td colSpan={3}>No tenant traffic yet.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </Panel>
        </>
      )}
    </>
  );
};
