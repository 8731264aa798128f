// Small layout pieces: a titled section, a labelled field, and a key/value list.
import type { ReactNode } from 'react';

export const Panel = ({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) => (
  <section className="panel" aria-label={title}>
    <header>
      <h2>{title}</h2>
      {actions}
    </header>
    {children}
  </section>
);

export const Field = ({ label, children }: { label: string; children: ReactNode }) => (
  // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child, which a wrapping label labels
  <label className="field">
    <span>{label}</span>
    {children}
  </label>
);

export const Facts = ({ facts }: { facts: Record<string, ReactNode> }) => (
  <dl className="facts">
    {Object.entries(facts).map(([k, v]) => (
      <div key={k}>
        <dt>{k}</dt>
        <dd>{v ?? '–'}</dd>
      </div>
    ))}
  </dl>
);

export const Json = ({ value }: { value: unknown }) => (
  <pre className="json">{JSON.stringify(value, null, 2)}</pre>
);

export const Loading = ({ when }: { when: boolean }) =>
  when ? (
    <p className="muted" aria-live="polite">
      Loading…
    </p>
  ) : null;
