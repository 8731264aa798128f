// One table of every operation's operationId and example, applied to the generated OpenAPI document, so
// generated clients get stable method names and readers a sample without touching each module's routes.

/** A request body, a success response body and/or path or query parameter values. */
export interface OperationExample {
  request?: unknown;
  response?: unknown;
  params?: Record<string, string | number>;
}

export interface OperationDoc {
  id: string;
  example: OperationExample;
}

const NOW = '2026-12-01T10:00:00.000Z';
const ITEM = {
  id: 'lamp-1',
  title: 'Brass Table Lamp',
  categories: ['home/lighting/lamps'],
  brand: 'Hearth & Co',
  price: { amount: 49.5, currency: 'GBP' },
  available: true,
  attributes: { colour: 'gold' },
};
const STORED_ITEM = { ...ITEM, version: 1, createdAt: NOW, updatedAt: NOW };
const LIMITS = { tenantPerSecond: 500, tenantBurst: 1000, keyPerSecond: 100, keyBurst: 200 };
const TENANT = { id: 'acme', name: 'Acme Ltd', limits: LIMITS, settings: { vectors: false }, createdAt: NOW };
const KEY = {
  id: 'key_01hq3',
  tenantId: 'acme',
  name: 'storefront',
  scopes: ['catalog:read', 'search'],
  prefix: 'qk_acme_4f',
  createdAt: NOW,
  expiresAt: null,
  revokedAt: null,
};
const USAGE = {
  requests: { search: 1200, recommend: 310, events: 95 },
  events: 4_180,
  computeS: 12.84,
  trainingCpuS: 0,
  items: 2_500,
  vectors: 2_500,
  artifactBytes: 1_048_576,
};
const QUOTAS = {
  tenantId: 'acme',
  eventsPerMonth: 1_000_000,
  computeSPerMonth: 36_000,
  month: '2026-12',
  used: { events: 4_180, computeS: 12.84 },
};
const EVENT = { id: 'e1', type: 'view', userId: 'u1', itemId: 'lamp-1', timestamp: NOW };
const VIEW = {
  entity: 'user',
  source: { kind: 'events', eventTypes: ['purchase'] },
  aggregations: [{ name: 'spend', kind: 'sum', field: 'value', windows: ['7d'] }],
  ttlSeconds: 2_592_000,
};
const INFER = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [0.1, 0.2, 0.3] }] };
const INFERRED = {
  model_name: 'ranker',
  model_version: '1',
  outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 1], data: [0.42] }],
};
const ENDPOINT = {
  routes: [{ model: 'ranker', version: 1, weight: 100 }],
  fallback: [{ model: 'ranker', version: 1 }],
  stickyBy: 'userId',
  timeoutMs: 200,
};
const ROLLOUT = {
  candidate: { model: 'ranker', version: 2 },
  steps: [5, 25, 50, 100],
  stepDuration: '10m',
  guardrails: { minRequests: 200, maxErrorRateIncrease: 0.01, maxP99Ratio: 1.3 },
};
const MODEL = {
  name: 'ranker',
  description: null,
  task: 'ranking',
  createdAt: NOW,
  latestVersion: 1,
  aliases: { champion: 1 },
};
const ROLLOUT_REF = { name: 'home', id: 'ro_7c2e' };
const RUN = { params: { halfLifeDays: 7 }, promote: 'if-better' };
const DURATION = (count: number, ns: number) => ({ count, ns });
const MODEL_STATS = {
  model_stats: [
    {
      name: 'ranker',
      version: '1',
      last_inference: 1_764_583_200_000,
      inference_count: 12,
      execution_count: 5,
      inference_stats: {
        success: DURATION(5, 4_100_000),
        fail: DURATION(0, 0),
        queue: DURATION(5, 600_000),
        compute_input: DURATION(5, 200_000),
        compute_infer: DURATION(5, 3_000_000),
        compute_output: DURATION(5, 300_000),
        cache_hit: DURATION(0, 0),
        cache_miss: DURATION(5, 50_000),
      },
      batch_stats: [
        {
          batch_size: 2,
          compute_input: DURATION(3, 100_000),
          compute_infer: DURATION(3, 1_800_000),
          compute_output: DURATION(3, 150_000),
        },
      ],
    },
  ],
};
const MODEL_CONFIG = {
  name: 'ranker',
  platform: 'onnxruntime_onnx',
  backend: 'onnxruntime',
  version_policy: { specific: { versions: [1] } },
  max_batch_size: 32,
  input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [3] }],
  output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [1] }],
  instance_group: [{ name: 'ranker', kind: 'KIND_CPU', count: 2 }],
};
const FIGURES = {
  searches: 120,
  noResults: 6,
  clicked: 48,
  addedToCart: 14,
  converted: 9,
  clickThroughRate: 0.4,
  conversionRate: 0.075,
};
const MULTI_ANSWER = {
  searchId: 'srch_9f2a',
  mode: 'keyword',
  total: 1,
  hits: [{ item: STORED_ITEM, score: 3.2, retrievers: ['keyword'] }],
  facets: {},
  nextCursor: null,
  notices: [],
};

/** `METHOD /path` (OpenAPI path syntax) → its operationId and example. */
export const OPERATIONS: Record<string, OperationDoc> = {
  'GET /livez': { id: 'getLiveness', example: { response: { status: 'live' } } },
  'GET /readyz': { id: 'getReadiness', example: { response: { status: 'ready' } } },
  'GET /v1/demo': {
    id: 'getDemoStatus',
    example: {
      response: {
        status: 'loading',
        step: 'training recommendations',
        done: [
          { step: 'catalog', atS: 1.8 },
          { step: 'events', atS: 4.2 },
        ],
      },
    },
  },
  'POST /v1/tenants': {
    id: 'createTenant',
    example: { request: { id: 'acme', name: 'Acme Ltd' }, response: TENANT },
  },
  'GET /v1/tenants': { id: 'listTenants', example: { response: { tenants: [TENANT], nextCursor: null } } },
  'GET /v1/tenants/{tenantId}': {
    id: 'getTenant',
    example: { params: { tenantId: 'acme' }, response: TENANT },
  },
  'PUT /v1/tenants/{tenantId}/limits': {
    id: 'setTenantLimits',
    example: { request: LIMITS, response: TENANT },
  },
  'PATCH /v1/tenants/{tenantId}/settings': {
    id: 'setTenantSettings',
    example: {
      params: { tenantId: 'acme' },
      request: { vectors: true },
      response: { ...TENANT, settings: { vectors: true } },
    },
  },
  'POST /v1/tenants/{tenantId}/keys': {
    id: 'createApiKey',
    example: { request: { name: 'storefront', scopes: ['catalog:read', 'search'] } },
  },
  'GET /v1/tenants/{tenantId}/keys': {
    id: 'listApiKeys',
    example: { response: { keys: [KEY], nextCursor: null } },
  },
  'POST /v1/tenants/{tenantId}/keys/scoped': {
    id: 'createScopedKey',
    example: {
      request: {
        filters: { and: [{ category: 'home/lighting' }, { available: true }] },
        userId: 'u42',
        expiresInS: 3600,
        scopes: ['search', 'recommend'],
      },
    },
  },
  'POST /v1/tenants/{tenantId}/keys/scoped/rotate': {
    id: 'rotateScopedKeys',
    example: { params: { tenantId: 'acme' } },
  },
  'DELETE /v1/tenants/{tenantId}/keys/{keyId}': {
    id: 'revokeApiKey',
    example: { params: { tenantId: 'acme', keyId: 'key_01hq3' } },
  },
  'GET /v1/audit': {
    id: 'listAuditEntries',
    example: {
      params: { tenantId: 'acme' },
      response: {
        entries: [
          {
            id: 1,
            at: NOW,
            actor: 'operator',
            action: 'key.create',
            tenantId: 'acme',
            target: 'key_01hq3',
            details: {},
          },
        ],
        nextCursor: null,
      },
    },
  },
  'PUT /v1/items/{itemId}': { id: 'putItem', example: { request: ITEM, response: STORED_ITEM } },
  'GET /v1/items/{itemId}': {
    id: 'getItem',
    example: { params: { itemId: 'lamp-1' }, response: STORED_ITEM },
  },
  'PATCH /v1/items/{itemId}': { id: 'patchItem', example: { request: { available: false, brand: null } } },
  'DELETE /v1/items/{itemId}': { id: 'deleteItem', example: { params: { itemId: 'lamp-1' } } },
  'GET /v1/items': { id: 'listItems', example: { response: { items: [STORED_ITEM], nextCursor: null } } },
  'POST /v1/items/batch': {
    id: 'upsertItems',
    example: {
      request: { items: [ITEM] },
      response: {
        created: 1,
        updated: 0,
        failed: 0,
        results: [{ index: 0, id: 'lamp-1', status: 'created', version: 1 }],
      },
    },
  },
  'GET /v1/changes': {
    id: 'listChanges',
    example: {
      params: { after: 0 },
      response: { changes: [{ seq: 1, itemId: 'lamp-1', op: 'upsert', version: 1, at: NOW }], lastSeq: 1 },
    },
  },
  'POST /v1/events': {
    id: 'ingestEvents',
    example: {
      request: { events: [EVENT] },
      response: { accepted: 1, duplicates: 0, rejected: 0, errors: [] },
    },
  },
  'GET /v1/events': {
    id: 'listEvents',
    example: {
      params: { after: 0 },
      response: { events: [{ position: 1, event: { ...EVENT, receivedAt: NOW } }], lastPosition: 1 },
    },
  },
  'PUT /v1/feature-views/{name}': {
    id: 'putFeatureView',
    example: { params: { name: 'user_spend' }, request: VIEW },
  },
  'GET /v1/feature-views/{name}': { id: 'getFeatureView', example: { params: { name: 'user_spend' } } },
  'GET /v1/feature-views': { id: 'listFeatureViews', example: { response: { views: [] } } },
  'PUT /v1/feature-services/{name}': {
    id: 'putFeatureService',
    example: { params: { name: 'ranking' }, request: { features: ['user_spend:spend_7d'] } },
  },
  'GET /v1/feature-services/{name}': { id: 'getFeatureService', example: { params: { name: 'ranking' } } },
  'GET /v1/feature-services': { id: 'listFeatureServices', example: { response: { services: [] } } },
  'POST /v1/features/online': {
    id: 'getOnlineFeatures',
    example: { request: { features: ['user_spend:spend_7d'], entities: { userId: ['u1'] } } },
  },
  'POST /v1/features/historical': {
    id: 'getHistoricalFeatures',
    example: {
      request: { features: ['user_spend:spend_7d'], entityRows: [{ userId: 'u1', timestamp: NOW }] },
    },
  },
  'GET /v1/features/status': {
    id: 'getFeatureConsumerStatus',
    example: { response: { consumer: 'features', lag: 0, rebuildingUntil: null } },
  },
  'POST /v1/models': {
    id: 'createModel',
    example: {
      request: { name: 'ranker', task: 'ranking' },
      response: { ...MODEL, latestVersion: null, aliases: {} },
    },
  },
  'GET /v1/models': { id: 'listModels', example: { response: { models: [MODEL], nextCursor: null } } },
  'GET /v1/models/{name}': { id: 'getModel', example: { params: { name: 'ranker' }, response: MODEL } },
  'POST /v1/models/{name}/versions': {
    id: 'uploadModelVersion',
    example: { params: { name: 'ranker' } },
  },
  'GET /v1/models/{name}/versions': { id: 'listModelVersions', example: { params: { name: 'ranker' } } },
  'GET /v1/models/{name}/versions/{ref}': {
    id: 'getModelVersion',
    example: { params: { name: 'ranker', ref: 'champion' } },
  },
  'DELETE /v1/models/{name}/versions/{ref}': {
    id: 'deleteModelVersion',
    example: { params: { name: 'ranker', ref: '2' } },
  },
  'GET /v1/models/{name}/versions/{ref}/tokenizer': {
    id: 'getModelTokenizer',
    example: { params: { name: 'encoder', ref: 'champion' } },
  },
  'PUT /v1/models/{name}/aliases/{alias}': {
    id: 'setModelAlias',
    example: { params: { name: 'ranker', alias: 'champion' }, request: { version: 1 }, response: MODEL },
  },
  'DELETE /v1/models/{name}/aliases/{alias}': {
    id: 'deleteModelAlias',
    example: { params: { name: 'ranker', alias: 'challenger' } },
  },
  'GET /v2/health/live': { id: 'oipServerLive', example: { response: { live: true } } },
  'GET /v2/health/ready': { id: 'oipServerReady', example: { response: { ready: true } } },
  'GET /v2/': {
    id: 'oipServerMetadata',
    example: { response: { name: 'quiver', version: '1.0.0', extensions: ['binary_tensor_data'] } },
  },
  'GET /v2/models/{name}': { id: 'oipModelMetadata', example: { params: { name: 'ranker' } } },
  'GET /v2/models/{name}/versions/{version}': {
    id: 'oipModelVersionMetadata',
    example: { params: { name: 'ranker', version: '1' } },
  },
  'GET /v2/models/{name}/ready': {
    id: 'oipModelReady',
    example: { params: { name: 'ranker' }, response: { name: 'ranker', ready: true } },
  },
  'GET /v2/models/{name}/versions/{version}/ready': {
    id: 'oipModelVersionReady',
    example: { params: { name: 'ranker', version: '2' }, response: { name: 'ranker', ready: true } },
  },
  'POST /v2/models/{name}/infer': { id: 'oipInfer', example: { request: INFER, response: INFERRED } },
  'POST /v2/models/{name}/versions/{version}/infer': {
    id: 'oipInferVersion',
    example: { params: { name: 'ranker', version: '1' }, request: INFER, response: INFERRED },
  },
  'GET /v2/models/stats': { id: 'oipStatistics', example: { response: MODEL_STATS } },
  'GET /v2/models/{name}/stats': {
    id: 'oipModelStatistics',
    example: { params: { name: 'ranker' }, response: MODEL_STATS },
  },
  'GET /v2/models/{name}/versions/{version}/stats': {
    id: 'oipModelVersionStatistics',
    example: { params: { name: 'ranker', version: '1' }, response: MODEL_STATS },
  },
  'GET /v2/models/{name}/config': {
    id: 'oipModelConfig',
    example: { params: { name: 'ranker' }, response: MODEL_CONFIG },
  },
  'GET /v2/models/{name}/versions/{version}/config': {
    id: 'oipModelVersionConfig',
    example: { params: { name: 'ranker', version: '1' }, response: MODEL_CONFIG },
  },
  'POST /v2/repository/index': {
    id: 'oipRepositoryIndex',
    example: {
      response: [
        { name: 'ranker', version: '1', state: 'READY', reason: '' },
        { name: 'ranker', version: '2', state: 'UNAVAILABLE', reason: 'unloaded' },
      ],
    },
  },
  'POST /v2/repository/models/{name}/load': {
    id: 'oipLoadModel',
    example: { params: { name: 'ranker' }, response: {} },
  },
  'POST /v2/repository/models/{name}/unload': {
    id: 'oipUnloadModel',
    example: { params: { name: 'ranker' }, response: {} },
  },
  'PUT /v1/endpoints/{name}': { id: 'putEndpoint', example: { params: { name: 'home' }, request: ENDPOINT } },
  'GET /v1/endpoints/{name}': { id: 'getEndpoint', example: { params: { name: 'home' } } },
  'DELETE /v1/endpoints/{name}': { id: 'deleteEndpoint', example: { params: { name: 'home' } } },
  'GET /v1/endpoints': { id: 'listEndpoints', example: { response: { endpoints: [], nextCursor: null } } },
  'GET /v1/endpoints/{name}/history': { id: 'getEndpointHistory', example: { params: { name: 'home' } } },
  'POST /v1/endpoints/{name}/infer': {
    id: 'inferEndpoint',
    example: { params: { name: 'home' }, request: { ...INFER, parameters: { userId: 'u42' } } },
  },
  'GET /v1/endpoints/{name}/stats': {
    id: 'getEndpointStats',
    example: { params: { name: 'home', since: '2026-12-01T09:45:00Z' } },
  },
  'GET /v1/endpoints/{name}/results': {
    id: 'getExperimentResults',
    example: { params: { name: 'home', metric: 'purchase', confidence: 0.95 } },
  },
  'POST /v1/endpoints/{name}/rollouts': {
    id: 'startRollout',
    example: { params: { name: 'home' }, request: ROLLOUT },
  },
  'GET /v1/endpoints/{name}/rollouts': { id: 'listRollouts', example: { params: { name: 'home' } } },
  'GET /v1/endpoints/{name}/rollouts/{id}': { id: 'getRollout', example: { params: ROLLOUT_REF } },
  'POST /v1/endpoints/{name}/rollouts/{id}/pause': { id: 'pauseRollout', example: { params: ROLLOUT_REF } },
  'POST /v1/endpoints/{name}/rollouts/{id}/resume': { id: 'resumeRollout', example: { params: ROLLOUT_REF } },
  'POST /v1/endpoints/{name}/rollouts/{id}/promote': {
    id: 'promoteRollout',
    example: { params: ROLLOUT_REF },
  },
  'POST /v1/endpoints/{name}/rollouts/{id}/rollback': {
    id: 'rollbackRollout',
    example: { params: ROLLOUT_REF },
  },
  'POST /v1/search': {
    id: 'search',
    example: {
      request: {
        query: 'brass lamp',
        limit: 10,
        filters: { and: [{ category: 'home/lighting' }, { price: { lte: 100 } }] },
        facets: ['brand'],
      },
    },
  },
  'POST /v1/search/multi': {
    id: 'multiSearch',
    example: {
      request: {
        searches: [
          { query: 'brass lamp', limit: 10, facets: ['brand'] },
          { query: '', filters: { category: 'home/lighting' }, limit: 4 },
        ],
      },
      response: { results: [MULTI_ANSWER, { ...MULTI_ANSWER, searchId: 'srch_9f2b' }] },
    },
  },
  'POST /v1/search/facet-values': {
    id: 'searchFacetValues',
    example: {
      request: { facet: 'brand', facetQuery: 'hea', query: 'lamp', limit: 5 },
      response: {
        facet: 'brand',
        values: [{ value: 'Hearth & Co', count: 12, highlighted: '<mark>Hea</mark>rth &amp; Co' }],
      },
    },
  },
  'GET /v1/search/suggestions': {
    id: 'getSearchSuggestions',
    example: {
      params: { q: 'bra', limit: 5 },
      response: {
        suggestions: [
          { text: 'brass lamp', source: 'query', count: 31 },
          { text: 'brass', source: 'catalog', count: 7 },
        ],
      },
    },
  },
  'GET /v1/search/analytics': {
    id: 'getSearchAnalytics',
    example: {
      params: { from: '2026-11-30', to: '2026-12-01', limit: 10 },
      response: {
        from: '2026-11-30',
        to: '2026-12-01',
        totals: FIGURES,
        days: [{ day: '2026-12-01', ...FIGURES }],
        topQueries: [{ query: 'brass lamp', ...FIGURES }],
        noResultQueries: [{ query: 'lava lamp', searches: 6 }],
      },
    },
  },
  'GET /v1/search/status': {
    id: 'getSearchStatus',
    example: {
      response: {
        items: 1200,
        vectors: { state: 'ready', items: 1200, model: 'text-encoder', version: 1, building: null },
      },
    },
  },
  'GET /v1/search/rules': { id: 'getSearchRules', example: { response: { synonyms: [], curations: [] } } },
  'PUT /v1/search/rules': {
    id: 'putSearchRules',
    example: {
      request: {
        synonyms: [{ terms: ['couch', 'sofa', 'settee'] }, { from: 'tv', terms: ['television'] }],
        curations: [{ query: 'lamp', pin: ['lamp-1'], hide: [] }],
      },
    },
  },
  'POST /v1/recommendations': {
    id: 'recommend',
    example: { request: { scenario: 'similar-items', itemId: 'lamp-1', limit: 5 } },
  },
  'POST /v1/trainers/{kind}/runs': {
    id: 'startTrainingRun',
    example: { params: { kind: 'popularity' }, request: RUN },
  },
  'GET /v1/trainers/runs/{id}': { id: 'getTrainingRun', example: { params: { id: 'trn_5b1d0c' } } },
  'GET /v1/trainers/runs': { id: 'listTrainingRuns', example: { params: { kind: 'als', limit: 20 } } },
  'GET /v1/stats/series': {
    id: 'getStatsSeries',
    example: {
      params: { minutes: 60 },
      response: {
        windowS: 10,
        from: '2026-12-01T09:00:10.000Z',
        to: NOW,
        scope: 'all',
        points: [
          {
            at: '2026-12-01T09:59:50.000Z',
            requests: 420,
            requestsPerS: 42,
            errorRate: 0.0024,
            p50Ms: 5,
            p99Ms: 50,
            cacheHitRatio: 0.31,
            meanBatchSize: 3.2,
            streamLag: 0,
          },
        ],
        tenants: [{ tenantId: 'acme', requests: 25_200, computeMs: 81_340.5 }],
      },
    },
  },
  'GET /v1/usage': {
    id: 'getUsage',
    example: {
      params: { from: '2026-12-01T00:00:00Z', to: NOW, granularity: 'hour', tenantId: 'acme' },
      response: {
        from: '2026-12-01T00:00:00.000Z',
        to: NOW,
        granularity: 'hour',
        tenants: [{ tenantId: 'acme', total: USAGE, points: [{ at: '2026-12-01T09:00:00.000Z', ...USAGE }] }],
      },
    },
  },
  'GET /v1/tenants/{tenantId}/quotas': {
    id: 'getTenantQuotas',
    example: { params: { tenantId: 'acme' }, response: QUOTAS },
  },
  'PUT /v1/tenants/{tenantId}/quotas': {
    id: 'setTenantQuotas',
    example: {
      params: { tenantId: 'acme' },
      request: { eventsPerMonth: QUOTAS.eventsPerMonth, computeSPerMonth: QUOTAS.computeSPerMonth },
      response: QUOTAS,
    },
  },
  'PUT /v1/trainers/{kind}/schedule': {
    id: 'putTrainingSchedule',
    example: { params: { kind: 'popularity' }, request: { everyHours: 6, ...RUN } },
  },
  'GET /v1/trainers/{kind}/schedule': {
    id: 'getTrainingSchedule',
    example: { params: { kind: 'popularity' } },
  },
  'DELETE /v1/trainers/{kind}/schedule': {
    id: 'deleteTrainingSchedule',
    example: { params: { kind: 'popularity' } },
  },
};
