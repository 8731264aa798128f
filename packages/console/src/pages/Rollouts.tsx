// Rollouts of an endpoint: current step, guardrails, every decision with its figures; pause, resume,
// promote, roll back.
import type { RolloutAction } from '@quiver/sdk';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Facts, Loading, Panel } from '../components/Panel.tsx';
import { useAction, useLoad } from '../hooks.ts';
import { EndpointPicker, targetName, useEndpointChoice } from './EndpointPicker.tsx';
import type { PageProps } from './types.ts';

const ACTIONS: { action: RolloutAction; label: string; when: string[] }[] = [
  { action: 'pause', label: 'Pause', when: ['running'] },
  { action: 'resume', label: 'Resume', when: ['paused'] },
  { action: 'promote', label: 'Promote', when: ['running', 'paused'] },
  { action: 'rollback', label: 'Roll back', when: ['running', 'paused'] },
];

export const Rollouts = ({ session }: PageProps) => {
  const choice = useEndpointChoice(session);
  const name = choice.value;
  return (
    <>
      <EndpointPicker {...choice} />
      {name && <RolloutList key={name} session={session} name={name} />}
    </>
  );
};

const RolloutList = ({ session, name }: PageProps & { name: string }) => {
  const { quiver } = session;
  const rollouts = useLoad(() => quiver.endpoints.rollouts.list(name), [quiver, name], 5_000);
  const act = useAction();
  return (
    <div className="stack">
      <ErrorBox error={rollouts.error} />
      <ErrorBox error={act.error} />
      <Loading when={rollouts.loading && !rollouts.data} />
      {rollouts.data?.rollouts.length === 0 && <p className="muted">No rollouts on this endpoint.</p>}
      {rollouts.data?.rollouts.map((r) => (
        <Panel
          key={r.id}
          title={`${targetName(r.candidate)} vs ${r.baseline}`}
          actions={
            <div className="actions">
              {ACTIONS.filter((a) => a.when.includes(r.status)).map((a) => (
                <button
                  key={a.action}
                  type="button"
                  disabled={act.busy}
                  onClick={async () => {
                    if (await act.run(() => quiver.endpoints.rollouts[a.action](name, r.id)))
                      rollouts.reload();
                  }}
                >
                  {a.label}
                </button>
              ))}
            </div>
          }
        >
          <Facts
            facts={{
              status: (
                <span data-testid={`rollout-status-${r.id}`} className={`status ${r.status}`}>
                  {r.status}
                </span>
              ),
              step: `${r.step + 1} of ${r.steps.length} (${r.percent}%)`,
              steps: r.steps.map((s) => `${s}%`).join(' → '),
              'step length': `${Math.round(r.stepDurationMs / 60_000)} min`,
              guardrails: Object.entries(r.guardrails)
                .map(([k, v]) => `${k} ${v}`)
                .join(', '),
            }}
          />
          <table>
            <caption>Decisions</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Step</th>
                <th scope="col">Reason</th>
                <th scope="col">Figures</th>
              </tr>
            </thead>
            <tbody>
              {r.decisions.map((d) => (
                <tr key={`${d.at}-${d.action}`}>
                  <td>{new Date(d.at).toLocaleTimeString()}</td>
                  <td>{d.action}</td>
                  <td>
                    {d.step + 1} ({d.percent}%)
                  </td>
                  <td>{d.reason}</td>
                  <td>
                    {Object.entries(d.numbers)
                      .map(([k, v]) => `${k}=${v === null ? '–' : Number(v.toFixed(4))}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      ))}
    </div>
  );
};
