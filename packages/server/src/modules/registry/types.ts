// What the registry knows about models and versions, as other modules (inference) see it.
import type { Signature } from '../engine/index.ts';

export interface BatchingSettings {
  maxBatchSize?: number;
  maxQueueDelayMs?: number;
  maxQueueSize?: number;
  /** Default deadline of a request, when the request gives none. */
  timeoutMs?: number;
}

export interface CacheSettings {
  enabled: boolean;
  ttlSeconds?: number;
  maxEntries?: number;
}

/** Metadata given at upload; immutable with the version. */
export interface VersionMetadata {
  framework?: string;
  description?: string;
  trainingWindow?: { from: string; to: string };
  metrics?: Record<string, number>;
  batching?: BatchingSettings;
  cache?: CacheSettings;
  /** OIP-style inputs used for the validation run and the warm-up; zeros when absent. */
  sampleInput?: { name: string; datatype: string; shape: number[]; data: unknown[] }[];
  /** Feature inputs (issue 4): input name → `view:feature`, fetched by entity id at inference time. */
  featureInputs?: Record<string, string>;
  /**
   * Where the version runs; absent: the inference engine chooses by artifact size and a measured batch
   * (engine/placement.ts). `inline`: on the serving thread, when the artifact is at most the engine's inline
   * size cap (256 KiB; larger ones run in the workers anyway), for tiny models such as search rankers;
   * `workers`: always in the worker pool.
   */
  execution?: 'inline' | 'workers';
  [key: string]: unknown;
}

export interface ModelVersion {
  tenantId: string;
  model: string;
  version: number;
  sha256: string;
  size: number;
  /** Where the artifact is in the blob store. */
  blobKey: string;
  /** Optional tokenizer.json asset. */
  tokenizerKey: string | null;
  signature: Signature;
  metadata: VersionMetadata;
  createdAt: string;
}

/** What the inference module needs from the registry. */
export interface ModelResolver {
  /**
   * Resolves `ref` (a version number, an alias, or absent: the `champion` alias, else the latest version)
   * for a tenant's model; throws `not_found` when the model, version or alias does not exist, and
   * `validation_failed` when `ref` is neither (`0x1`, `01`, `1e3`…: see refs.ts, the one grammar of refs).
   */
  resolve(tenantId: string, model: string, ref?: string): Promise<ModelVersion>;
  /** The artifact's bytes. */
  artifact(version: ModelVersion): Promise<Buffer>;
  /** Versions of a model, newest first (for OIP model metadata). */
  versions(tenantId: string, model: string): Promise<number[]>;
  /** Called after an alias moves, so serving can load the new target ahead of traffic. */
  onAliasChange(listener: (tenantId: string, model: string, alias: string, version: number) => void): void;
}
