// The model registry: models, immutable content-addressed versions validated on upload, and aliases.
import {
  type CreateModel,
  type ModelVersionView,
  type ModelView,
  VersionMetadataSchema,
} from '@quiver/contracts';
import { type BlobSource, type BlobStore, FileBlobStore } from '../../adapters/blob/index.ts';
import { noTxHook, type SqlDatabase, type TxHook } from '../../adapters/sql/index.ts';
import {
  type Clock,
  compileValidator,
  decodeCursor,
  isoNow,
  newId,
  notFound,
  pageOf,
  QuiverError,
} from '../../kernel/index.ts';
import type { InferenceEngine } from '../engine/index.ts';
import { checkVersionNumber, parseVersionRef } from './refs.ts';
import { registryRepository as repo } from './repository.ts';
import type { ModelResolver, ModelVersion, VersionMetadata } from './types.ts';
import { createUploadSlots } from './upload-slots.ts';
import { validateArtifact } from './validate.ts';

export const DEFAULT_ALIAS = 'champion';
const validateMetadata = compileValidator<VersionMetadata>(VersionMetadataSchema);

export interface RegistryDeps {
  db: SqlDatabase;
  blobs: BlobStore;
  engine: InferenceEngine;
  clock: Clock;
  maxArtifactBytes: number;
  /** A local folder where uploads are spooled while they are validated (onnxruntime loads a file). */
  spoolDir: string;
  /** Uploads read and validated at once; more are refused with 503 (see upload-slots.ts). */
  maxConcurrentUploads: number;
}

export interface Upload {
  artifact: BlobSource;
  metadata?: unknown;
  tokenizer?: Buffer;
}

type AliasListener = (tenantId: string, model: string, alias: string, version: number) => void;

const artifactKey = (tenantId: string, sha256: string) => `models/${tenantId}/${sha256}.onnx`;

export const createRegistryService = ({
  db,
  blobs,
  engine,
  clock,
  maxArtifactBytes,
  spoolDir,
  maxConcurrentUploads,
}: RegistryDeps): RegistryService => {
  const listeners: AliasListener[] = [];
  const slots = createUploadSlots(maxConcurrentUploads);
  // Not the blob store: an upload must be a local file for onnxruntime to load it in a worker thread.
  const spool = new FileBlobStore({ root: spoolDir });

  const requireModel = async (tenantId: string, name: string) => {
    const model = await repo.getModel(db, tenantId, name);
    if (!model) throw notFound('model', name);
    return model;
  };

  const viewOf = async (tenantId: string, name: string): Promise<ModelView> => {
    const model = await requireModel(tenantId, name);
    const [latest] = await repo.listVersions(db, tenantId, name);
    return {
      ...model,
      latestVersion: latest?.version ?? null,
      aliases: await repo.aliases(db, tenantId, name),
    };
  };

  const versionView = async (v: ModelVersion): Promise<ModelVersionView> => {
    const aliases = Object.entries(await repo.aliases(db, v.tenantId, v.model))
      .filter(([, version]) => version === v.version)
      .map(([alias]) => alias);
    const { tenantId: _t, blobKey: _b, tokenizerKey, ...rest } = v;
    return { ...rest, hasTokenizer: tokenizerKey !== null, aliases };
  };

  const resolve = async (tenantId: string, name: string, ref?: string): Promise<ModelVersion> => {
    const parsed = ref === undefined ? undefined : parseVersionRef(ref);
    await requireModel(tenantId, name);
    let version: number | undefined;
    if (parsed?.kind === 'version') version = parsed.version;
    else {
      const aliases = await repo.aliases(db, tenantId, name);
      version = aliases[parsed?.alias ?? DEFAULT_ALIAS];
      if (version === undefined && parsed !== undefined)
        throw new QuiverError('not_found', `model '${name}' has no alias '${parsed.alias}'`);
      version ??= (await repo.listVersions(db, tenantId, name))[0]?.version;
      if (version === undefined) throw new QuiverError('not_found', `model '${name}' has no versions yet`);
    }
    const found = await repo.getVersion(db, tenantId, name, version);
    if (!found) throw new QuiverError('not_found', `model '${name}' has no version ${version}`);
    return found;
  };

  const resolver: ModelResolver = {
    resolve,
    async artifact(v) {
      const bytes = await blobs.getBuffer(v.blobKey);
      if (!bytes) throw new QuiverError('unavailable', `the artifact of ${v.model} v${v.version} is missing`);
      return bytes;
    },
    async versions(tenantId, name) {
      return (await repo.listVersions(db, tenantId, name)).map((v) => v.version);
    },
    onAliasChange(listener) {
      listeners.push(listener);
    },
  };

  return {
    resolver,

    storedBytes: (tenantId: string) => repo.storedBytes(db, tenantId),

    /** Takes one of the process's upload slots before the body is read; see upload-slots.ts. */
    takeUploadSlot: (): (() => void) => slots.take(),

    /** Upload slots taken now. */
    activeUploads: (): number => slots.active,

    /** `answer` joins the write's transaction with the view (the idempotency record of the request). */
    async createModel(
      tenantId: string,
      input: CreateModel,
      answer: TxHook<ModelView> = noTxHook,
    ): Promise<ModelView> {
      const row = {
        name: input.name,
        description: input.description ?? null,
        task: input.task ?? null,
        createdAt: isoNow(clock),
      };
      return db.transaction(async (tx) => {
        if (!(await repo.insertModel(tx, tenantId, row))) {
          throw new QuiverError('already_exists', `model '${input.name}' already exists`, {
            errors: [{ path: '/name', message: 'already taken' }],
          });
        }
        const view: ModelView = { ...row, latestVersion: null, aliases: {} };
        await answer(tx, view);
        return view;
      });
    },

    getModel: viewOf,

    async listModels(tenantId: string, limit: number, cursor?: string) {
      const after = cursor ? String(decodeCursor(cursor, ['name']).name) : '';
      const page = pageOf(await repo.listModels(db, tenantId, after, limit + 1), limit, (m) => ({
        name: m.name,
      }));
      return {
        models: await Promise.all(page.rows.map((m) => viewOf(tenantId, m.name))),
        nextCursor: page.nextCursor,
      };
    },

    /**
     * Streams the artifact to a local spool file (hashing it chunk by chunk on the way), validates it in an
     * onnxruntime worker thread that loads that file, streams it to the blob store, and records a new version.
     * The artifact is never whole in the main thread's memory, so other requests keep being served. The same
     * bytes uploaded again to the same model answer the existing version. A rejected upload leaves nothing.
     */
    async uploadVersion(
      tenantId: string,
      name: string,
      upload: Upload,
    ): Promise<{ version: ModelVersionView; created: boolean }> {
      await requireModel(tenantId, name);
      const checked = validateMetadata(upload.metadata ?? {}, '/metadata');
      if (!checked.ok)
        throw new QuiverError('validation_failed', 'The version metadata is invalid', {
          errors: checked.errors,
        });
      let tokenizerJson: string | undefined;
      if (upload.tokenizer) {
        try {
          tokenizerJson = JSON.stringify(JSON.parse(upload.tokenizer.toString('utf8')));
        } catch (cause) {
          throw new QuiverError('unprocessable', 'tokenizer.json is not valid JSON', { cause });
        }
      }
      const spoolKey = `${tenantId}/${newId('up')}.onnx`;
      try {
        const { size, sha256 } = await spool.put(spoolKey, upload.artifact, { maxBytes: maxArtifactBytes });
        if (size === 0) throw new QuiverError('unprocessable', 'The artifact is empty');
        const existing = await repo.findBySha(db, tenantId, name, sha256);
        if (existing) return { version: await versionView(existing), created: false };
        const signature = await validateArtifact(engine, spool.fileOf(spoolKey), checked.value);
        const blobKey = artifactKey(tenantId, sha256);
        const spooled = await spool.get(spoolKey);
        if (!spooled) throw new QuiverError('internal', `the spooled upload '${spoolKey}' is missing`);
        await blobs.put(blobKey, spooled).finally(() => spooled.destroy());
        const tokenizerKey = tokenizerJson ? `${blobKey}.tokenizer.json` : null;
        if (tokenizerKey && tokenizerJson) await blobs.put(tokenizerKey, Buffer.from(tokenizerJson));
        const version = await db.transaction(async (tx) => {
          const number = (await repo.reserveVersion(tx, tenantId, name))!;
          const v: ModelVersion = {
            tenantId,
            model: name,
            version: number,
            sha256,
            size,
            blobKey,
            tokenizerKey,
            signature,
            metadata: checked.value,
            createdAt: isoNow(clock),
          };
          await repo.insertVersion(tx, v);
          return v;
        });
        return { version: await versionView(version), created: true };
      } finally {
        await spool.delete(spoolKey).catch(() => {});
      }
    },

    async getVersion(tenantId: string, name: string, ref: string): Promise<ModelVersionView> {
      return versionView(await resolve(tenantId, name, ref));
    },

    async listVersions(tenantId: string, name: string): Promise<ModelVersionView[]> {
      await requireModel(tenantId, name);
      return Promise.all((await repo.listVersions(db, tenantId, name)).map(versionView));
    },

    async tokenizer(tenantId: string, name: string, ref: string): Promise<Buffer> {
      const v = await resolve(tenantId, name, ref);
      const bytes = v.tokenizerKey ? await blobs.getBuffer(v.tokenizerKey) : undefined;
      if (!bytes) throw new QuiverError('not_found', `version ${v.version} of '${name}' has no tokenizer`);
      return bytes;
    },

    /**
     * Deletes a version no alias points at, named by its number (never by an alias, which may move meanwhile);
     * its artifact goes when no other version shares it.
     */
    async deleteVersion(tenantId: string, name: string, ref: string): Promise<void> {
      const parsed = parseVersionRef(ref);
      if (parsed.kind === 'alias') {
        throw new QuiverError(
          'validation_failed',
          `Delete a version by its version number; '${ref}' is an alias (GET it to see its version)`,
          { errors: [{ path: '/params/ref', message: 'must be a version number' }] },
        );
      }
      const { version } = parsed;
      const v = await repo.getVersion(db, tenantId, name, version);
      if (!v) throw new QuiverError('not_found', `model '${name}' has no version ${version}`);
      const pinned = Object.entries(await repo.aliases(db, tenantId, name)).filter(([, n]) => n === version);
      if (pinned.length > 0) {
        throw new QuiverError(
          'conflict',
          `version ${version} is referenced by alias '${pinned[0][0]}'; move the alias first`,
        );
      }
      await db.transaction(async (tx) => {
        await repo.deleteVersion(tx, tenantId, name, version);
      });
      for (const key of [v.blobKey, v.tokenizerKey]) {
        if (key && (await repo.blobUsers(db, tenantId, key)) === 0) await blobs.delete(key);
      }
    },

    async setAlias(tenantId: string, name: string, alias: string, version: number): Promise<ModelView> {
      checkVersionNumber(version);
      await requireModel(tenantId, name);
      if (!(await repo.getVersion(db, tenantId, name, version))) {
        throw new QuiverError('not_found', `model '${name}' has no version ${version}`, {
          errors: [{ path: '/version', message: 'no such version' }],
        });
      }
      await db.transaction((tx) => repo.setAlias(tx, tenantId, name, alias, version, isoNow(clock)));
      for (const listener of listeners) listener(tenantId, name, alias, version);
      return viewOf(tenantId, name);
    },

    async deleteAlias(tenantId: string, name: string, alias: string): Promise<void> {
      await requireModel(tenantId, name);
      if (!(await db.transaction((tx) => repo.deleteAlias(tx, tenantId, name, alias)))) {
        throw new QuiverError('not_found', `model '${name}' has no alias '${alias}'`);
      }
    },
  };
};

/** Models, their immutable versions (artifacts in the blob store) and aliases. */
export interface RegistryService {
  /** Bytes of the tenant's stored artifacts, every version (usage metering). */
  storedBytes(tenantId: string): Promise<number>;
  /** How serving finds versions and their artifacts, and hears of alias moves. */
  resolver: ModelResolver;
  /**
   * Takes one of the process's upload slots before the body is read (`unavailable` with a Retry-After when
   * all are taken); returns its release. See upload-slots.ts.
   */
  takeUploadSlot(): () => void;
  /** Upload slots taken now. */
  activeUploads(): number;
  /** Creates a model; `already_exists` when the name is taken. */
  createModel(tenantId: string, input: CreateModel, answer?: TxHook<ModelView>): Promise<ModelView>;
  /** The model with its aliases and latest version; `not_found` when absent. */
  getModel(tenantId: string, name: string): Promise<ModelView>;
  /** A page of the tenant's models, in name order. */
  listModels(
    tenantId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ models: ModelView[]; nextCursor: string | null }>;
  /**
   * Streams the artifact to the blob store (hashing it on the way), validates it in onnxruntime, and
   * records a new version. The same bytes uploaded again to the same model answer the existing version.
   * A rejected upload leaves nothing behind.
   */
  uploadVersion(
    tenantId: string,
    name: string,
    upload: Upload,
  ): Promise<{ version: ModelVersionView; created: boolean }>;
  /** A version named by number or alias. */
  getVersion(tenantId: string, name: string, ref: string): Promise<ModelVersionView>;
  /** Every version of the model. */
  listVersions(tenantId: string, name: string): Promise<ModelVersionView[]>;
  /** The version's tokenizer.json; `not_found` when it has none. */
  tokenizer(tenantId: string, name: string, ref: string): Promise<Buffer>;
  /**
   * Deletes a version no alias points at, named by its number (never by an alias, which may move meanwhile);
   * its artifact goes when no other version shares it.
   */
  deleteVersion(tenantId: string, name: string, ref: string): Promise<void>;
  /** Points an alias at a version (serving follows at once). */
  setAlias(tenantId: string, name: string, alias: string, version: number): Promise<ModelView>;
  /** Removes an alias. */
  deleteAlias(tenantId: string, name: string, alias: string): Promise<void>;
}
