// The vectors service: per tenant one HNSW index of item embeddings from the tenant's current encoder
// version, kept in sync with the catalog's change feed, saved to disk, rebuilt in the background and swapped
// when the encoder version changes. Implements the search module's VectorRetriever port.
import type { Stream } from '../../adapters/stream/index.ts';
import type { ModelVersion } from '../registry/index.ts';
import { type AnnIndex, createAnnIndex, deleteSavedIndex, loadAnnIndex } from './ann-index.ts';
import { allTexts, type CatalogReader, currentTexts } from './catalog-source.ts';
import { createEncoders, type EncoderDeps, type EncoderOptions, type Encoders } from './encoder.ts';
import { indexBase, savedIndexes } from './paths.ts';
import { createFeedConsumer, type FeedConsumer } from './sync.ts';

/** How long after a change an index is saved (changes in between share one save). */
export const DEFAULT_SAVE_DELAY_MS = 2_000;
/** How often a query re-reads which encoder version the alias names (alias moves on other replicas). */
export const DEFAULT_VERSION_CHECK_MS = 5_000;

/** Vector retrieval the search service fuses with keyword results. */
export interface VectorRetriever {
  /** Nearest items to the query text for a tenant, best first; [] when the tenant has no index yet. */
  query(tenantId: string, text: string, k: number): Promise<Array<{ id: string; score: number }>>;
  /** `cold` (never asked for), `building` (no index answers yet) or `ready`; with the index's figures. */
  indexState(tenantId: string): {
    state: 'cold' | 'building' | 'ready';
    items: number;
    model: string;
    version: number | null;
    building: number | null;
  };
}

export interface VectorsDeps extends Omit<EncoderDeps, 'catalogTexts'> {
  stream: Stream;
  catalog: CatalogReader;
  /** Where indexes are saved (`<dataDir>/vectors`); absent: memory only, rebuilt after a restart. */
  dir?: string;
  onError?: (error: unknown) => void;
}

export interface VectorsOptions extends EncoderOptions {
  quantization?: 'f32' | 'f16' | 'i8';
  connectivity?: number;
  expansionSearch?: number;
  saveDelayMs?: number;
  versionCheckMs?: number;
}

export interface IndexStatus {
  model: string;
  version: number | null;
  items: number;
  /** The encoder version being indexed in the background, if any. */
  building: number | null;
}

export interface VectorsService extends VectorRetriever {
  readonly encoders: Encoders;
  start(): Promise<void>;
  /** Resolves once the tenant's index for its current encoder version is complete (building it if needed). */
  ready(tenantId: string): Promise<void>;
  /**
   * Forgets the tenant's index (its vectors turned off): a build in progress stops, the memory is freed, the
   * saved files are removed and the feed no longer updates it. A later query or `ready` builds it anew.
   */
  drop(tenantId: string): Promise<void>;
  status(tenantId: string): IndexStatus | undefined;
  /**
   * The embeddings of the tenant's catalog items (at most `limit`, in catalog order) from its current encoder
   * version, row-major [ids.length, dim]: what the content recommender is trained from.
   */
  itemVectors(
    tenantId: string,
    limit: number,
  ): Promise<{ ids: string[]; dim: number; vectors: Float32Array }>;
  close(): Promise<void>;
}

interface Slot {
  version: ModelVersion;
  ann: AnnIndex;
}

interface Build {
  key: string;
  /** Items changed while the build scans the catalog: re-read before it goes live. */
  pending: Set<string>;
  done: Promise<void>;
}

interface TenantState {
  active?: Slot;
  next?: Build;
  checkedAt: number;
  checking?: Promise<void>;
  saveTimer?: NodeJS.Timeout;
}

const versionKey = (v: ModelVersion) => `${v.model}@${v.version}:${v.sha256}`;
const buildingVersion = (b: Build): number => Number(b.key.split('@')[1].split(':')[0]);

export const createVectorsService = (deps: VectorsDeps, options: VectorsOptions = {}): VectorsService => {
  const tenants = new Map<string, TenantState>();
  const saveDelayMs = options.saveDelayMs ?? DEFAULT_SAVE_DELAY_MS;
  const versionCheckMs = options.versionCheckMs ?? DEFAULT_VERSION_CHECK_MS;
  const annOptions = {
    quantization: options.quantization,
    connectivity: options.connectivity,
    expansionSearch: options.expansionSearch,
  };
  const onError = deps.onError ?? (() => {});
  const encoders = createEncoders(
    {
      registry: deps.registry,
      inference: deps.inference,
      async catalogTexts(tenantId) {
        const texts: string[] = [];
        for await (const page of allTexts(deps.catalog, tenantId)) for (const p of page) texts.push(p.text);
        return texts;
      },
    },
    options,
  );
  let closed = false;
  let feed: FeedConsumer | undefined;
  // The feed handler and a build going live take turns, so no change falls between them.
  let turn: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = turn.then(fn, fn);
    turn = run.catch(() => {});
    return run;
  };

  const stateOf = (tenantId: string): TenantState => {
    let s = tenants.get(tenantId);
    if (!s) {
      s = { checkedAt: 0 };
      tenants.set(tenantId, s);
    }
    return s;
  };

  /** Re-reads these items and writes (or removes) their vectors in the slot. */
  const refresh = async (slot: Slot, ids: readonly string[]) => {
    const texts = await currentTexts(deps.catalog, slot.version.tenantId, ids);
    const live = [...texts].filter((e): e is [string, string] => e[1] !== null);
    const vectors = await encoders.embed(
      slot.version.tenantId,
      slot.version,
      live.map(([, t]) => t),
    );
    slot.ann.remove([...texts].filter(([, t]) => t === null).map(([id]) => id));
    slot.ann.upsert(live.map(([id], i) => ({ id, vector: vectors[i] })));
  };

  const save = async (slot: Slot) => {
    if (deps.dir) await slot.ann.save(indexBase(deps.dir, slot.version));
  };

  const scheduleSave = (tenantId: string) => {
    const s = tenants.get(tenantId);
    if (!deps.dir || !s?.active || s.saveTimer || closed) return;
    s.saveTimer = setTimeout(() => {
      s.saveTimer = undefined;
      if (s.active) save(s.active).catch(onError);
    }, saveDelayMs);
    s.saveTimer.unref();
  };

  const build = (tenantId: string, s: TenantState, version: ModelVersion): Build => {
    const b: Build = { key: versionKey(version), pending: new Set(), done: Promise.resolve() };
    b.done = (async () => {
      let ann: AnnIndex | undefined;
      for await (const page of allTexts(deps.catalog, tenantId)) {
        if (closed || s.next !== b) return;
        const vectors = await encoders.embed(
          tenantId,
          version,
          page.map((p) => p.text),
        );
        if (vectors.length === 0) continue;
        ann ??= createAnnIndex({ ...annOptions, dim: vectors[0].length });
        ann.upsert(page.map((p, i) => ({ id: p.id, vector: vectors[i] })));
      }
      // An empty catalog: one embedding tells the dimension, so later items can be added.
      ann ??= createAnnIndex({
        ...annOptions,
        dim: (await encoders.embed(tenantId, version, ['']))[0].length,
      });
      const slot: Slot = { version, ann };
      await serially(async () => {
        if (closed || s.next !== b) return;
        while (b.pending.size > 0) {
          const ids = [...b.pending];
          b.pending.clear();
          await refresh(slot, ids);
        }
        slot.ann.position = feed?.lastSeen() ?? 0;
        const old = s.active;
        s.active = slot;
        s.next = undefined;
        await save(slot);
        if (old && deps.dir && versionKey(old.version) !== b.key)
          await deleteSavedIndex(indexBase(deps.dir, old.version));
      });
    })().catch((error) => {
      if (s.next === b) s.next = undefined;
      onError(error);
      throw error;
    });
    b.done.catch(() => {});
    return b;
  };

  /** Starts a build when the alias names a version the tenant's index is not (or not yet being) built from. */
  const check = (tenantId: string): Promise<void> => {
    const s = stateOf(tenantId);
    s.checking ??= (async () => {
      try {
        const version = await encoders.current(tenantId);
        s.checkedAt = Date.now();
        const key = versionKey(version);
        if (s.active && versionKey(s.active.version) === key) s.next = undefined;
        else if (s.next?.key !== key && !closed) s.next = build(tenantId, s, version);
      } finally {
        s.checking = undefined;
      }
    })();
    return s.checking;
  };

  const handle = async (changes: ReadonlyMap<string, readonly string[]>, lastPosition: number) => {
    await serially(async () => {
      for (const [tenantId, ids] of changes) {
        const s = tenants.get(tenantId);
        if (!s) continue;
        for (const id of ids) s.next?.pending.add(id);
        if (s.active && ids.length > 0) await refresh(s.active, ids);
      }
      for (const [tenantId, s] of tenants) {
        if (!s.active || s.active.ann.position >= lastPosition) continue;
        s.active.ann.position = lastPosition;
        if (changes.has(tenantId)) scheduleSave(tenantId);
      }
    });
  };

  const loadSaved = async () => {
    if (!deps.dir) return;
    const newest = new Map<string, { base: string; version: number }>();
    for (const f of await savedIndexes(deps.dir)) {
      if (f.model !== encoders.model) continue;
      const seen = newest.get(f.tenantId);
      if (!seen || seen.version < f.version) newest.set(f.tenantId, f);
    }
    for (const [tenantId, f] of newest) {
      try {
        const version = await deps.registry.resolver.resolve(tenantId, encoders.model, String(f.version));
        if (indexBase(deps.dir, version) !== f.base) continue;
        const ann = await loadAnnIndex(f.base, annOptions);
        if (ann) stateOf(tenantId).active = { version, ann };
      } catch (error) {
        onError(error);
      }
    }
  };

  deps.registry.resolver.onAliasChange((tenantId, model) => {
    if (model === encoders.model && tenants.has(tenantId) && !closed) check(tenantId).catch(onError);
  });

  return {
    encoders,

    async start() {
      await loadSaved();
      const positions = [...tenants.values()].flatMap((s) => (s.active ? [s.active.ann.position] : []));
      feed = createFeedConsumer({ stream: deps.stream, dir: deps.dir, handle, onError });
      await feed.start(positions.length > 0 ? Math.min(...positions) + 1 : undefined);
    },

    async ready(tenantId) {
      await check(tenantId);
      await tenants.get(tenantId)?.next?.done;
    },

    drop(tenantId) {
      return serially(async () => {
        const s = tenants.get(tenantId);
        if (!s) return;
        tenants.delete(tenantId);
        clearTimeout(s.saveTimer);
        s.next = undefined;
        if (s.active && deps.dir) await deleteSavedIndex(indexBase(deps.dir, s.active.version));
        s.active = undefined;
      });
    },

    async query(tenantId, text, k) {
      const s = tenants.get(tenantId);
      if (!s || Date.now() - s.checkedAt > versionCheckMs) {
        const checking = check(tenantId);
        if (!s?.active) {
          checking.catch(onError);
          return [];
        }
        checking.catch(onError);
      }
      const slot = tenants.get(tenantId)?.active;
      if (!slot || text.trim() === '' || k <= 0) return [];
      const [vector] = await encoders.embed(tenantId, slot.version, [text]);
      return slot.ann.search(vector, k);
    },

    async itemVectors(tenantId, limit) {
      const version = await encoders.current(tenantId);
      const ids: string[] = [];
      const rows: Float32Array[] = [];
      for await (const page of allTexts(deps.catalog, tenantId)) {
        const take = page.slice(0, limit - ids.length);
        const vectors = await encoders.embed(
          tenantId,
          version,
          take.map((p) => p.text),
        );
        take.forEach((p, i) => {
          ids.push(p.id);
          rows.push(vectors[i]);
        });
        if (ids.length >= limit) break;
      }
      const dim = rows[0]?.length ?? 0;
      const out = new Float32Array(ids.length * dim);
      rows.forEach((r, i) => {
        out.set(r, i * dim);
      });
      return { ids, dim, vectors: out };
    },

    indexState(tenantId) {
      const s = tenants.get(tenantId);
      return {
        state: !s ? 'cold' : s.active ? 'ready' : 'building',
        items: s?.active?.ann.size() ?? 0,
        model: encoders.model,
        version: s?.active?.version.version ?? null,
        building: s?.next ? buildingVersion(s.next) : null,
      };
    },

    status(tenantId) {
      const s = tenants.get(tenantId);
      if (!s) return undefined;
      return {
        model: encoders.model,
        version: s.active?.version.version ?? null,
        items: s.active?.ann.size() ?? 0,
        building: s.next ? buildingVersion(s.next) : null,
      };
    },

    async close() {
      closed = true;
      await feed?.stop();
      await turn;
      for (const s of tenants.values()) {
        clearTimeout(s.saveTimer);
        if (s.active) await save(s.active).catch(onError);
      }
    },
  };
};
