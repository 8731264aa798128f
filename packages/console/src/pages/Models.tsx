// Models and their versions: signature, metadata, metrics, aliases; upload a version by drag and drop;
// move an alias.
import type { ModelVersion } from '@quiver/sdk';
import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { Facts, Field, Json, Loading, Panel } from '../components/Panel.tsx';
import { firstPage, useAction, useLoad } from '../hooks.ts';
import { DropZone } from './DropZone.tsx';
import type { PageProps } from './types.ts';

export const Models = ({ session }: PageProps) => {
  const { quiver } = session;
  const models = useLoad(async () => (await firstPage(quiver.models.list({ limit: 100 }))).models, [quiver]);
  const [selected, setSelected] = useState<string>();
  const [name, setName] = useState('');
  const create = useAction();
  const current = selected ?? models.data?.[0]?.name;
  return (
    <div className="columns">
      <Panel title="Models">
        <ErrorBox error={models.error} />
        <Loading when={models.loading && !models.data} />
        <ul className="picker">
          {models.data?.map((m) => (
            <li key={m.name}>
              <button type="button" aria-pressed={m.name === current} onClick={() => setSelected(m.name)}>
                {m.name} <span className="muted">v{m.latestVersion ?? '–'}</span>
              </button>
            </li>
          ))}
        </ul>
        <form
          className="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            const made = await create.run(() => quiver.models.create({ name }));
            if (made) {
              setSelected(made.name);
              setName('');
              models.reload();
            }
          }}
        >
          <Field label="New model">
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="ranker" required />
          </Field>
          <button type="submit" disabled={create.busy}>
            Create
          </button>
        </form>
        <ErrorBox error={create.error} />
      </Panel>
      {current && <ModelDetail key={current} session={session} name={current} onChange={models.reload} />}
    </div>
  );
};

const ModelDetail = ({ session, name, onChange }: PageProps & { name: string; onChange: () => void }) => {
  const { quiver } = session;
  const versions = useLoad(() => quiver.models.versions(name), [quiver, name]);
  const upload = useAction();
  const alias = useAction();
  const [aliasName, setAliasName] = useState('champion');
  const [aliasVersion, setAliasVersion] = useState('');
  const list = versions.data?.versions ?? [];
  return (
    <div className="stack">
      <Panel title={`Upload a version of ${name}`}>
        <DropZone
          label="Drop an ONNX file here, or choose one"
          busy={upload.busy}
          onFile={async (file) => {
            const made = await upload.run(async () =>
              quiver.models.push(name, { model: new Uint8Array(await file.arrayBuffer()) }),
            );
            if (made) {
              versions.reload();
              onChange();
            }
          }}
        />
        <ErrorBox error={upload.error} />
      </Panel>
      <Panel title="Move an alias">
        <form
          className="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            const done = await alias.run(() => quiver.models.setAlias(name, aliasName, Number(aliasVersion)));
            if (done) versions.reload();
          }}
        >
          <Field label="Alias">
            <input value={aliasName} onChange={(e) => setAliasName(e.target.value)} required />
          </Field>
          <Field label="To version">
            <select value={aliasVersion} onChange={(e) => setAliasVersion(e.target.value)} required>
              <option value="">choose</option>
              {list.map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" disabled={alias.busy}>
            Move
          </button>
        </form>
        <ErrorBox error={alias.error} />
      </Panel>
      <Panel title="Versions">
        <ErrorBox error={versions.error} />
        <Loading when={versions.loading && !versions.data} />
        {list.length === 0 && !versions.loading && <p className="muted">No versions yet.</p>}
        {list
          .slice()
          .reverse()
          .map((v) => (
            <VersionCard key={v.version} version={v} />
          ))}
      </Panel>
    </div>
  );
};

const VersionCard = ({ version: v }: { version: ModelVersion }) => (
  <article className="card" data-testid={`version-${v.version}`}>
    <h3>
      v{v.version}{' '}
      {v.aliases.map((a) => (
        <span key={a} className="badge">
          {a}
        </span>
      ))}
    </h3>
    <Facts
      facts={{
        sha256: <code>{v.sha256.slice(0, 16)}…</code>,
        size: `${v.size} bytes`,
        created: new Date(v.createdAt).toLocaleString(),
        inputs: v.signature.inputs.map((t) => `${t.name} ${t.datatype} [${t.shape.join(',')}]`).join('; '),
        outputs: v.signature.outputs.map((t) => `${t.name} ${t.datatype} [${t.shape.join(',')}]`).join('; '),
      }}
    />
    {Object.keys(v.metadata).length > 0 && (
      <details>
        <summary>Metadata and metrics</summary>
        <Json value={v.metadata} />
      </details>
    )}
  </article>
);
