// The encoders: the built-in one equals a brute-force weighted mean of the package's word vectors, runs as a
// registry version through the inference path; a user's sentence-transformer with a tokenizer.json works too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildBuiltinEncoder } from '../../../src/modules/vectors/builtin-encoder.ts';
import { builtinEncoderGraph } from '../../../src/modules/vectors/builtin-graph.ts';
import { specialToken } from '../../../src/modules/vectors/builtin-tokenizer.ts';
import { BUILTIN_ENCODER_MODEL, createEncoders } from '../../../src/modules/vectors/encoder.ts';
import { itemText } from '../../../src/modules/vectors/item-text.ts';
import { loadWordVectors, type WordVectors } from '../../../src/modules/vectors/word-vectors.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { embeddingPoolModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { assertVectorClose, normalized, putItem } from './testing.ts';

const SENTENCE = 'A comfortable Leather sofa for the living room';
const ITEMS = [
  {
    id: 'sofa',
    title: 'Leather sofa',
    brand: 'Nordic',
    categories: ['home/furniture'],
    description: 'Three seats',
  },
  { id: 'lamp', title: 'Desk lamp', brand: 'Lumen', categories: ['home/lighting'] },
];

/** Σ weight(word)·vector(word) over the sentence's known words, normalized: computed straight from the package. */
const bruteForce = (vectors: WordVectors, sentence: string, weight: (word: string) => number) => {
  const sum = new Float64Array(vectors.dim);
  for (const word of sentence.toLowerCase().split(/\s+/)) {
    const row = vectors.index(word);
    if (row === undefined) continue;
    for (let d = 0; d < vectors.dim; d++) sum[d] += weight(word) * vectors.table[row * vectors.dim + d];
  }
  return normalized(sum);
};

describe('text encoders', () => {
  let t: TestApp;
  let acme: Record<string, string>;
  let vectors: WordVectors;

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { inferenceWorkers: 1 });
    acme = await t.tenant('acme');
    for (const { id, ...item } of ITEMS) await putItem(t, acme, id, item);
    vectors = await loadWordVectors();
  });
  after(() => t.close());

  test('the graph with equal weights is the plain mean of the package vectors, padding ignored', async () => {
    const words = ['leather', 'sofa', 'room'];
    const rows = words.map((w) => vectors.index(w)!);
    const table = new Float32Array((rows.length + 1) * vectors.dim);
    rows.forEach((r, i) => {
      table.set(vectors.table.subarray(r * vectors.dim, (r + 1) * vectors.dim), (i + 1) * vectors.dim);
    });
    const weights = Float32Array.from([0, 1, 1, 1]);
    const bytes = builtinEncoderGraph({ table, weights, dim: vectors.dim });
    const { InferenceSession, Tensor } = await import('onnxruntime-node');
    const session = await InferenceSession.create(bytes);
    const out = await session.run({
      input_ids: new Tensor('int64', BigInt64Array.from([1n, 2n, 3n, 0n]), [1, 4]),
      attention_mask: new Tensor('int64', BigInt64Array.from([1n, 1n, 1n, 0n]), [1, 4]),
    });
    const mean = new Float64Array(vectors.dim);
    for (const r of rows)
      for (let d = 0; d < vectors.dim; d++) mean[d] += vectors.table[r * vectors.dim + d] / 3;
    assertVectorClose(out.embeddings.data as Float32Array, normalized(mean));
    await session.release();
  });

  test('registered on first need, called through inference: a brute-force SIF mean of the sentence', async () => {
    const encoders = createEncoders({
      registry: t.registry,
      inference: t.inference,
      catalogTexts: async () => ITEMS.map(itemText),
    });
    const version = await encoders.current('acme');
    assert.equal(version.model, BUILTIN_ENCODER_MODEL);
    assert.equal(version.version, 1);
    assert.equal((await t.registry.getVersion('acme', BUILTIN_ENCODER_MODEL, '1')).hasTokenizer, true);
    // Asking again uses the registered version, it does not build another one.
    assert.equal((await encoders.current('acme')).version, 1);

    const built = buildBuiltinEncoder(vectors, ITEMS.map(itemText));
    const id = new Map(built.vocabulary.map((w, i) => [w, i]));
    const [actual] = await encoders.embed('acme', version, [SENTENCE]);
    assertVectorClose(
      actual,
      bruteForce(vectors, SENTENCE, (w) => built.weights[id.get(w)!]),
    );
    // Catalog words are down-weighted against rare words; stop words weigh almost nothing.
    assert.ok(built.weights[id.get('the')!] < 0.2 * built.weights[id.get('comfortable')!]);
    assert.ok(built.weights[id.get('sofa')!] < built.weights[id.get('comfortable')!]);
  });

  test('unknown words and empty texts give a zero vector, not NaN', async () => {
    const encoders = createEncoders({
      registry: t.registry,
      inference: t.inference,
      catalogTexts: async () => [],
    });
    const version = await encoders.current('acme');
    const [unknown, empty] = await encoders.embed('acme', version, ['qwzxv blorptang', '']);
    assert.ok([...unknown, ...empty].every((x) => x === 0));
  });

  test("a user's sentence-transformer with a HuggingFace tokenizer.json (offline), mean-pooled", async () => {
    // A BERT-style WordPiece tokenizer: [CLS] text [SEP], subword pieces, lowercase.
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'couch', 'sofa', 'lamp', 'red', '##s', 'desk'];
    const tokenizer = {
      version: '1.0',
      added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map(specialToken),
      normalizer: { type: 'BertNormalizer', lowercase: true, strip_accents: true, clean_text: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
        ],
        pair: [],
        special_tokens: {
          '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
          '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
        },
      },
      decoder: null,
      model: {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab: Object.fromEntries(vocab.map((w, i) => [w, i])),
      },
    };
    const model = embeddingPoolModel({ vocab: vocab.length, dim: 6, seed: 5 });
    await t.registry.createModel('acme', { name: 'minilm' });
    await t.registry.uploadVersion('acme', 'minilm', {
      artifact: model.bytes,
      tokenizer: Buffer.from(JSON.stringify(tokenizer)),
    });
    const encoders = createEncoders(
      { registry: t.registry, inference: t.inference, catalogTexts: async () => [] },
      { model: 'minilm' },
    );
    const version = await encoders.current('acme');
    const [lamps, short] = await encoders.embed('acme', version, ['Red LAMPS', 'desk']);
    // [CLS] red lamp ##s [SEP] and [CLS] desk [SEP] (padded): mean of the table rows, then normalized.
    const mean = (ids: number[]) =>
      normalized(
        Array.from(
          { length: 6 },
          (_, d) => ids.reduce((s, id) => s + model.table[id * 6 + d], 0) / ids.length,
        ),
      );
    assertVectorClose(lamps, mean([2, 7, 6, 8, 3]));
    assertVectorClose(short, mean([2, 9, 3]));
  });
});
