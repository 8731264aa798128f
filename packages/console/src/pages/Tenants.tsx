// Operator page: tenants, their limits, keys and usage (server time over the last hour).
import type { Tenant } from '@quiver/sdk';
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { format } from '../components/LineChart.tsx';
import { Loading, Panel } from '../components/Panel.tsx';
import { firstPage, useLoad } from '../hooks.ts';
import { statsSeries } from '../session.ts';
import type { PageProps } from './types.ts';

export const Tenants = ({ session }: PageProps) => {
  const { quiver } = session;
  const tenants = useLoad(
    async () => (await firstPage(quiver.tenants.list({ limit: 100 }))).tenants,
    [quiver],
  );
  const usage = useLoad(() => statsSeries(quiver, 60), [quiver]);
  const [open, setOpen] = useState<string>();
  if (tenants.error) return <ErrorBox error={tenants.error} />;
  const used = new Map(usage.data?.tenants.map((t) => [t.tenantId, t]) ?? []);
  return (
    <Panel title="Tenants">
      <Loading when={tenants.loading && !tenants.data} />
      <table>
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Limits</th>
            <th scope="col">Requests (1 h)</th>
            <th scope="col">Server time (1 h)</th>
            <th scope="col">Keys</th>
          </tr>
        </thead>
        <tbody>
          {tenants.data?.map((t) => (
            <TenantRow
              key={t.id}
              tenant={t}
              usage={used.get(t.id)}
              open={open === t.id}
              onToggle={() => setOpen(open === t.id ? undefined : t.id)}
              session={session}
            />
          ))}
        </tbody>
      </table>
    </Panel>
  );
};

const TenantRow = ({
  tenant,
  usage,
  open,
  onToggle,
  session,
}: PageProps & {
  tenant: Tenant;
  usage: { requests: number; computeMs: number } | undefined;
  open: boolean;
  onToggle: () => void;
}) => (
  <>
    <tr>
      <td>
        {tenant.name} <span className="muted">{tenant.id}</span>
      </td>
      <td>
        {Object.entries(tenant.limits)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}
      </td>
      <td>{usage?.requests ?? 0}</td>
      <td>{format((usage?.computeMs ?? 0) / 1000, ' s')}</td>
      <td>
        <button type="button" aria-expanded={open} onClick={onToggle}>
          {open ? 'Hide keys' : 'Show keys'}
        </button>
      </td>
    </tr>
    {open && (
      <tr>
        <td colSpan={5}>
          <Keys session={session} tenantId={tenant.id} />
        </td>
      </tr>
    )}
  </>
);

const Keys = ({ session, tenantId }: PageProps & { tenantId: string }) => {
  const keys = useLoad(
    async () => (await firstPage(session.quiver.keys.list(tenantId, { limit: 100 }))).keys,
    [session, tenantId],
  );
  return (
    <>
      <ErrorBox error={keys.error} />
      <ul>
        {keys.data?.map((k) => (
          <li key={k.id}>
            <code>{k.prefix}…</code> {k.name} · {k.scopes.join(', ')}
            {k.expiresAt ? ` · expires ${new Date(k.expiresAt).toLocaleString()}` : ''}
            {k.revokedAt ? ' · revoked' : ''}
          </li>
        ))}
      </ul>
    </>
  );
};
