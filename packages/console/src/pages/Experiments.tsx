// Experiment results of an endpoint: variants, exposures, conversion with intervals, lift, SRM flag.
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Loading, Panel } from '../components/Panel.tsx';
import { useLoad } from '../hooks.ts';
import { EndpointPicker, useEndpointChoice } from './EndpointPicker.tsx';
import type { PageProps } from './types.ts';

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(2)}%`;
const interval = (i: [number, number] | null | undefined) => (i ? `${pct(i[0])} … ${pct(i[1])}` : '–');

export const Experiments = ({ session }: PageProps) => {
  const choice = useEndpointChoice(session);
  const [metric, setMetric] = useState('purchase');
  const name = choice.value;
  const results = useLoad(
    async () => (name ? session.quiver.endpoints.results(name, { metric }) : undefined),
    [session, name, metric],
    10_000,
  );
  const r = results.data;
  return (
    <>
      <EndpointPicker {...choice} />
      <label className="field">
        <span>Conversion metric</span>
        <select value={metric} onChange={(e) => setMetric(e.target.value)}>
          <option value="purchase">purchase</option>
          <option value="click">click</option>
          <option value="add_to_cart">add_to_cart</option>
        </select>
      </label>
      <ErrorBox error={results.error} />
      <Loading when={results.loading && !r} />
      {r && (
        <Panel title={`Results (${Math.round(r.confidence * 100)}% intervals, control ${r.control})`}>
          <p className={r.srm.mismatch ? 'error' : 'muted'} role={r.srm.mismatch ? 'alert' : undefined}>
            Sample ratio: χ² {r.srm.chiSquare.toFixed(2)}, p = {r.srm.pValue.toFixed(3)}
            {r.srm.mismatch
              ? ' — mismatch: the split differs from the weights, do not trust the lift.'
              : ' — no mismatch.'}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Variant</th>
                <th scope="col">Weight</th>
                <th scope="col">Exposures</th>
                <th scope="col">Conversions</th>
                <th scope="col">Rate (interval)</th>
                <th scope="col">Lift (interval)</th>
              </tr>
            </thead>
            <tbody>
              {r.variants.map((v) => (
                <tr key={v.variant}>
                  <td>{v.variant}</td>
                  <td>{v.weight}</td>
                  <td>{v.exposures}</td>
                  <td>{v.conversions}</td>
                  <td>
                    {pct(v.rate)} ({interval(v.rateInterval)})
                  </td>
                  <td>
                    {pct(v.lift)} ({interval(v.liftInterval)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      )}
    </>
  );
};
