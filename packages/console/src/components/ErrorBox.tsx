// A failed call as the problem's title and detail (and the field errors), announced to screen readers.
import { QuiverError } from '@quiver/sdk';

const HINTS: Record<string, string> = {
  unauthenticated: 'The key is unknown, revoked or expired. Sign in again with a valid key.',
  key_expired: 'This key has expired. Sign in with a new key.',
  forbidden:
    'This key may not do this: the page needs the operator key or a tenant key with the right scope.',
  network_error: 'The server could not be reached.',
};

export const describeError = (error: unknown): { title: string; detail: string; hint?: string } => {
  if (error instanceof QuiverError)
    return { title: error.title ?? error.code, detail: error.detail, hint: HINTS[error.code] };
  return { title: 'Unexpected error', detail: error instanceof Error ? error.message : String(error) };
};

export const ErrorBox = ({ error }: { error: unknown }) => {
  if (error === undefined || error === null) return null;
  const { title, detail, hint } = describeError(error);
  const fields = error instanceof QuiverError ? error.errors : [];
  return (
    <div className="error" role="alert" data-testid="error">
      <strong>{title}</strong>
      <p>{detail}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f.path}>
              <code>{f.path}</code> {f.message}
            </li>
          ))}
        </ul>
      )}
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
};
