// Training runs: progress, offline metrics against the popularity baseline, promotion; start a run.
import type { TrainerKind, TrainingRun } from '@quiver/sdk';
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { format } from '../components/LineChart.tsx';
import { Field, Loading, Panel } from '../components/Panel.tsx';
import { useAction, useLoad } from '../hooks.ts';
import type { PageProps } from './types.ts';

const KINDS: TrainerKind[] = ['cooccurrence', 'als', 'popularity', 'content', 'userknn', 'search-ranker'];

export const Training = ({ session }: PageProps) => {
  const runs = useLoad(() => session.quiver.trainers.runs.list({ limit: 20 }), [session], 3_000);
  const start = useAction();
  const [kind, setKind] = useState<TrainerKind>('cooccurrence');
  return (
    <div className="stack">
      <Panel title="Start a run">
        <form
          className="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await start.run(() => session.quiver.trainers.run(kind, {}))) runs.reload();
          }}
        >
          <Field label="Trainer">
            <select value={kind} onChange={(e) => setKind(e.target.value as TrainerKind)}>
              {KINDS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </Field>
          <button type="submit" disabled={start.busy}>
            Train
          </button>
        </form>
        <ErrorBox error={start.error} />
      </Panel>
      <ErrorBox error={runs.error} />
      <Loading when={runs.loading && !runs.data} />
      {runs.data?.runs.length === 0 && <p className="muted">No runs yet.</p>}
      {runs.data?.runs.map((run) => (
        <RunCard key={run.id} run={run} />
      ))}
    </div>
  );
};

const RunCard = ({ run }: { run: TrainingRun }) => {
  const names = [...new Set([...Object.keys(run.metrics ?? {}), ...Object.keys(run.baseline ?? {})])];
  return (
    <Panel title={`${run.kind} · ${run.id}`}>
      <p>
        <span className={`status ${run.status}`}>{run.status}</span> {run.progress.phase}{' '}
        <progress value={run.progress.fraction} max={1} aria-label={`${run.id} progress`} />{' '}
        {run.model ? `published ${run.model.name} v${run.model.version}` : ''}
      </p>
      {run.error && <p className="error">{run.error}</p>}
      {run.promotion && (
        <p>
          Promotion: <strong>{run.promotion.decision}</strong> — {run.promotion.reason}
        </p>
      )}
      {names.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">This run</th>
              <th scope="col">Popularity baseline</th>
            </tr>
          </thead>
          <tbody>
            {names.map((m) => (
              <tr key={m}>
                <td>{m}</td>
                <td>{format(run.metrics?.[m] ?? null)}</td>
                <td>{format(run.baseline?.[m] ?? null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
};
