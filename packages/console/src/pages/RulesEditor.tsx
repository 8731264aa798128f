// Synonyms and pinned/hidden items per query, edited as JSON and saved whole (PUT /v1/search/rules).
import { useEffect, useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Panel } from '../components/Panel.tsx';
import { useAction, useLoad } from '../hooks.ts';
import type { PageProps } from './types.ts';

export const RulesEditor = ({ session }: PageProps) => {
  const rules = useLoad(() => session.quiver.search.rules.get(), [session]);
  const save = useAction();
  const [text, setText] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (rules.data) setText(JSON.stringify(rules.data, null, 2));
  }, [rules.data]);
  return (
    <Panel title="Synonyms and pin/hide rules">
      <ErrorBox error={rules.error} />
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setSaved(false);
          const done = await save.run(async () => session.quiver.search.rules.put(JSON.parse(text)));
          if (done) {
            setSaved(true);
            rules.reload();
          }
        }}
      >
        <label className="field">
          <span>Rules (JSON)</span>
          <textarea rows={10} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
        </label>
        <button type="submit" disabled={save.busy}>
          Save rules
        </button>
        {saved && <span role="status"> Saved.</span>}
      </form>
      <ErrorBox error={save.error} />
    </Panel>
  );
};
