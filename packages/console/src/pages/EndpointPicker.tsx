// Chooses one of the tenant's endpoints (used by the endpoint, rollout and experiment pages).
import type { Endpoint } from '@quiver/sdk';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Field, Loading } from '../components/Panel.tsx';
import { firstPage, type Loaded, useLoad } from '../hooks.ts';
import type { Session } from '../session.ts';

export const useEndpoints = (session: Session): Loaded<Endpoint[]> =>
  useLoad(async () => (await firstPage(session.quiver.endpoints.list({ limit: 100 }))).endpoints, [session]);

export const EndpointPicker = ({
  endpoints,
  value,
  onChange,
}: {
  endpoints: Loaded<Endpoint[]>;
  value: string | undefined;
  onChange: (name: string) => void;
}) => (
  <div className="picker-bar">
    <ErrorBox error={endpoints.error} />
    <Loading when={endpoints.loading && !endpoints.data} />
    {endpoints.data && endpoints.data.length === 0 && <p className="muted">No endpoints yet.</p>}
    {endpoints.data && endpoints.data.length > 0 && (
      <Field label="Endpoint">
        <select value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
          {endpoints.data.map((e) => (
            <option key={e.name} value={e.name}>
              {e.name}
            </option>
          ))}
        </select>
      </Field>
    )}
  </div>
);

export const targetName = (t: { model: string; version?: number; alias?: string }): string =>
  `${t.model}@${t.version ?? t.alias ?? 'champion'}`;
