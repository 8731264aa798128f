// The text encoder as other code sees it: a registry model version called through the inference service
// (batched, cached, metered). The built-in one is built and registered per tenant on first need.
import { isQuiverError } from '../../kernel/index.ts';
import type { InferenceService } from '../inference/index.ts';
import { DEFAULT_ALIAS, type ModelVersion, type RegistryService } from '../registry/index.ts';
import { type BuiltinEncoderOptions, buildBuiltinEncoder } from './builtin-encoder.ts';
import { loadTokenizer, type TextTokenizer } from './tokenizer.ts';
import { loadWordVectors } from './word-vectors.ts';

/** The model name the built-in encoder is registered under in each tenant. */
export const BUILTIN_ENCODER_MODEL = 'quiver-text-encoder';
/** Texts per inference call. */
export const DEFAULT_EMBED_BATCH = 64;

export interface EncoderDeps {
  registry: Pick<RegistryService, 'createModel' | 'uploadVersion' | 'setAlias' | 'tokenizer' | 'resolver'>;
  inference: Pick<InferenceService, 'infer'>;
  /** The tenant's catalog text, to fit the built-in encoder's word weights. */
  catalogTexts(tenantId: string): Promise<string[]>;
}

export interface EncoderOptions extends BuiltinEncoderOptions {
  /** The tenant model used as the encoder; the built-in one is created when this is its name. */
  model?: string;
  /** The alias followed; absent: `champion`, else the latest version. */
  alias?: string;
  batchSize?: number;
}

export interface Encoders {
  readonly model: string;
  /** The version the alias names now (registering the built-in encoder first when the tenant has none). */
  current(tenantId: string): Promise<ModelVersion>;
  /** Unit vectors for the texts, in order, from exactly this version. */
  embed(tenantId: string, version: ModelVersion, texts: readonly string[]): Promise<Float32Array[]>;
  /** Texts embedded so far (tests count them to see what was re-embedded). */
  embeddedTexts(): number;
}

const normalize = (v: Float32Array): Float32Array => {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
};

/** [batch, dim] rows, or [batch, seq, dim] token states mean-pooled under the mask (sentence-transformers). */
const pooled = (data: number[], shape: number[], mask: number[]): Float32Array[] => {
  const [batch] = shape;
  const out: Float32Array[] = [];
  if (shape.length === 2) {
    const dim = shape[1];
    for (let b = 0; b < batch; b++)
      out.push(normalize(Float32Array.from(data.slice(b * dim, (b + 1) * dim))));
    return out;
  }
  const [, seq, dim] = shape;
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dim);
    for (let t = 0; t < seq; t++) {
      if (!mask[b * seq + t]) continue;
      const base = (b * seq + t) * dim;
      for (let d = 0; d < dim; d++) v[d] += data[base + d];
    }
    out.push(normalize(v));
  }
  return out;
};

export const createEncoders = (deps: EncoderDeps, options: EncoderOptions = {}): Encoders => {
  const model = options.model ?? BUILTIN_ENCODER_MODEL;
  const batchSize = options.batchSize ?? DEFAULT_EMBED_BATCH;
  const tokenizers = new Map<string, Promise<TextTokenizer>>();
  const registering = new Map<string, Promise<void>>();
  let embedded = 0;

  const registerBuiltin = async (tenantId: string) => {
    const built = buildBuiltinEncoder(await loadWordVectors(), await deps.catalogTexts(tenantId), options);
    try {
      await deps.registry.createModel(tenantId, {
        name: model,
        description: 'Quiver built-in text encoder: SIF-weighted mean of GloVe-derived word vectors',
        task: 'text-embedding',
      });
    } catch (error) {
      if (!(isQuiverError(error) && error.code === 'already_exists')) throw error;
    }
    const uploaded = await deps.registry.uploadVersion(tenantId, model, {
      artifact: built.onnx,
      tokenizer: Buffer.from(JSON.stringify(built.tokenizerJson)),
      metadata: {
        framework: 'quiver-builtin',
        description: `vocabulary ${built.vocabulary.length} words`,
        batching: { maxBatchSize: batchSize },
        cache: { enabled: true },
        sampleInput: [
          { name: 'input_ids', datatype: 'INT64', shape: [1, 1], data: [0] },
          { name: 'attention_mask', datatype: 'INT64', shape: [1, 1], data: [1] },
        ],
      },
    });
    // Pinned, so a later upload does not change the encoder until its alias is moved.
    if (uploaded.created)
      await deps.registry.setAlias(tenantId, model, DEFAULT_ALIAS, uploaded.version.version);
  };

  const current = async (tenantId: string): Promise<ModelVersion> => {
    try {
      return await deps.registry.resolver.resolve(tenantId, model, options.alias);
    } catch (error) {
      const missing = isQuiverError(error) && error.code === 'not_found';
      if (!missing || model !== BUILTIN_ENCODER_MODEL) throw error;
    }
    let pending = registering.get(tenantId);
    if (!pending) {
      pending = registerBuiltin(tenantId).finally(() => registering.delete(tenantId));
      registering.set(tenantId, pending);
    }
    await pending;
    return deps.registry.resolver.resolve(tenantId, model, options.alias);
  };

  const tokenizerOf = (v: ModelVersion): Promise<TextTokenizer> => {
    const key = `${v.tenantId}/${v.sha256}`;
    let t = tokenizers.get(key);
    if (!t) {
      t = deps.registry
        .tokenizer(v.tenantId, v.model, String(v.version))
        .then((bytes) => loadTokenizer(JSON.parse(bytes.toString('utf8'))));
      t.catch(() => tokenizers.delete(key));
      tokenizers.set(key, t);
    }
    return t;
  };

  const embedBatch = async (v: ModelVersion, texts: readonly string[]) => {
    const tokens = (await tokenizerOf(v)).encode(texts);
    const shape = [tokens.batch, tokens.seq];
    const byName: Record<string, number[]> = {
      input_ids: tokens.ids,
      attention_mask: tokens.mask,
      token_type_ids: tokens.ids.map(() => 0),
    };
    const inputs = v.signature.inputs.map((i) => ({
      name: i.name,
      datatype: 'INT64',
      shape,
      data: byName[i.name] ?? tokens.ids.map(() => 0),
    }));
    const res = await deps.inference.infer(v.tenantId, v.model, String(v.version), { inputs });
    const out = res.body.outputs[0];
    embedded += texts.length;
    return pooled(out.data as number[], out.shape, tokens.mask);
  };

  return {
    model,
    current,
    async embed(_tenantId, v, texts) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize)
        out.push(...(await embedBatch(v, texts.slice(i, i + batchSize))));
      return out;
    },
    embeddedTexts: () => embedded,
  };
};
