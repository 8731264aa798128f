// The model registry: models, immutable versions (ONNX uploads), aliases: /v1/models.
import { cursorList, type Paginated } from '../paginate.ts';
import { type CallOptions, path, type Transport } from '../transport.ts';
import type {
  CreateModel,
  Model,
  ModelPage,
  ModelVersion,
  ModelVersionList,
  VersionMetadata,
} from '../types.ts';
import type { PageOptions } from './tenancy.ts';

/** A version reference: a number, or an alias such as `champion`. */
export type VersionRef = number | string;

export interface PushVersion {
  /** The ONNX file's bytes. */
  model: Uint8Array | Blob;
  metadata?: VersionMetadata;
  /** A tokenizer.json (sent as multipart with the model). */
  tokenizer?: Uint8Array | Blob | string;
}

const blobOf = (data: Uint8Array | Blob | string, type: string): Blob =>
  data instanceof Blob ? data : new Blob([data as Uint8Array<ArrayBuffer> | string], { type });

export const modelsResource = (t: Transport) => ({
  create: (model: CreateModel, o?: CallOptions) =>
    t.call<Model>({ method: 'POST', path: '/v1/models', json: model }, o),
  get: (name: string, o?: CallOptions) => t.call<Model>({ method: 'GET', path: path`/v1/models/${name}` }, o),
  list: (o: PageOptions = {}): Paginated<Model, ModelPage> => cursorList(t, '/v1/models', 'models', o),
  /**
   * Uploads a version; the server loads and runs it before accepting it (422 otherwise). The same bytes
   * again answer the existing version, so a retried upload never makes a second one.
   */
  push: (name: string, version: PushVersion, o?: CallOptions) => {
    const target = path`/v1/models/${name}/versions`;
    if (version.tokenizer === undefined) {
      return t.call<ModelVersion>(
        {
          method: 'POST',
          path: target,
          raw: { data: version.model, contentType: 'application/octet-stream' },
          headers: version.metadata ? { 'quiver-model-metadata': JSON.stringify(version.metadata) } : {},
        },
        o,
      );
    }
    const form = new FormData();
    form.append('metadata', JSON.stringify(version.metadata ?? {}));
    form.append('tokenizer', blobOf(version.tokenizer, 'application/json'), 'tokenizer.json');
    form.append('model', blobOf(version.model, 'application/octet-stream'), 'model.onnx');
    return t.call<ModelVersion>({ method: 'POST', path: target, raw: { data: form } }, o);
  },
  versions: (name: string, o?: CallOptions) =>
    t.call<ModelVersionList>({ method: 'GET', path: path`/v1/models/${name}/versions` }, o),
  version: (name: string, ref: VersionRef, o?: CallOptions) =>
    t.call<ModelVersion>({ method: 'GET', path: path`/v1/models/${name}/versions/${ref}` }, o),
  deleteVersion: (name: string, version: number, o?: CallOptions) =>
    t.call<void>({ method: 'DELETE', path: path`/v1/models/${name}/versions/${version}` }, o),
  /** The version's tokenizer.json, parsed. */
  tokenizer: (name: string, ref: VersionRef, o?: CallOptions) =>
    t.call<unknown>({ method: 'GET', path: path`/v1/models/${name}/versions/${ref}/tokenizer` }, o),
  setAlias: (name: string, alias: string, version: number, o?: CallOptions) =>
    t.call<Model>({ method: 'PUT', path: path`/v1/models/${name}/aliases/${alias}`, json: { version } }, o),
  deleteAlias: (name: string, alias: string, o?: CallOptions) =>
    t.call<void>({ method: 'DELETE', path: path`/v1/models/${name}/aliases/${alias}` }, o),
});
