// Chooses one of the tenant's endpoints (used by the endpoint, rollout and experiment pages).
import type { Endpoint } from '@quiver/sdk';
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Field, Loading } from '../components/Panel.tsx';
import { firstPage, type Loaded, useLoad } from '../hooks.ts';
import type { Session } from '../session.ts';

export const useEndpoints = (session: Session): Loaded<Endpoint[]> =>
  useLoad(async () => (await firstPage(session.quiver.endpoints.list({ limit: 100 }))).endpoints, [session]);

/** The tenant's endpoints and the one chosen (the first until the user picks one): EndpointPicker's props. */
export const useEndpointChoice = (session: Session) => {
  const endpoints = useEndpoints(session);
  const [chosen, setChosen] = useState<string>();
  return { endpoints, value: chosen ?? endpoints.data?.[0]?.name, onChange: setChosen };
};

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
