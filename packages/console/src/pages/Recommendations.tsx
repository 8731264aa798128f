// Recommendations preview per scenario for a chosen user, item or cart, with the reasons for each item.
import type { RecommendationRequest, RecommendationResponse } from '@quiver/sdk';
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Field, Panel } from '../components/Panel.tsx';
import { useAction } from '../hooks.ts';
import type { PageProps } from './types.ts';

type Scenario = RecommendationRequest['scenario'];
const SCENARIOS: Scenario[] = ['similar-items', 'bought-together', 'for-user', 'trending'];

const requestFor = (scenario: Scenario, subject: string): RecommendationRequest => {
  const ids = subject
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (scenario === 'for-user') return { scenario, userId: ids[0], explain: true, limit: 10 };
  if (scenario === 'bought-together') return { scenario, itemIds: ids, explain: true, limit: 10 };
  if (scenario === 'similar-items') return { scenario, itemId: ids[0], explain: true, limit: 10 };
  return { scenario, explain: true, limit: 10 };
};

export const Recommendations = ({ session }: PageProps) => {
  const [scenario, setScenario] = useState<Scenario>('similar-items');
  const [subject, setSubject] = useState('');
  const [answer, setAnswer] = useState<RecommendationResponse>();
  const preview = useAction();
  const subjectLabel =
    scenario === 'for-user'
      ? 'User id'
      : scenario === 'bought-together'
        ? 'Cart item ids (comma-separated)'
        : 'Item id';
  return (
    <div className="stack">
      <Panel title="Preview">
        <form
          className="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            const got = await preview.run(() =>
              session.quiver.recommendations.get(requestFor(scenario, subject)),
            );
            if (got) setAnswer(got);
          }}
        >
          <Field label="Scenario">
            <select value={scenario} onChange={(e) => setScenario(e.target.value as Scenario)}>
              {SCENARIOS.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </Field>
          {scenario !== 'trending' && (
            <Field label={subjectLabel}>
              <input value={subject} onChange={(e) => setSubject(e.target.value)} required />
            </Field>
          )}
          <button type="submit" disabled={preview.busy}>
            Preview
          </button>
        </form>
        <ErrorBox error={preview.error} />
      </Panel>
      {answer && (
        <Panel title={`${answer.items.length} items from ${answer.model}@${answer.version}`}>
          {answer.degraded && (
            <p className="notice" role="status">
              Degraded: a fallback answered.
            </p>
          )}
          {answer.notices.map((n) => (
            <p key={n} className="notice" role="status">
              {n}
            </p>
          ))}
          <ol className="hits" data-testid="recommendations">
            {answer.items.map((item) => (
              <li key={item.id} className="hit">
                <strong>{item.title}</strong> <span className="muted">{item.id}</span>{' '}
                <span className="badge">{item.score.toFixed(3)}</span>
                <ul className="reasons">
                  {(item.reasons ?? []).map((r) => (
                    <li key={`${r.kind}-${r.itemId ?? ''}`}>{r.text}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </Panel>
      )}
    </div>
  );
};
