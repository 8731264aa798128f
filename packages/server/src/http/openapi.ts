// The OpenAPI 3.1 document, generated from the route schemas, at /v1/openapi.json; a docs page at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { OPERATIONS, type OperationExample } from './openapi-operations.ts';

export const API_VERSION = '1.0.0';

export const registerOpenApi = async (app: FastifyInstance): Promise<void> => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Quiver API',
        version: API_VERSION,
        description:
          'Multi-tenant catalog, events, features, models, search and recommendations. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    hideUntagged: false,
    transformObject: (doc) =>
      'openapiObject' in doc ? withOperationDocs(doc.openapiObject as OpenApiDocument) : doc.swaggerObject,
  });
  // The UI's assets come from the @fastify/swagger-ui package itself: no CDN.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // `urls` wins over the plugin's own `./json`: the page reads the same document clients do.
    uiConfig: { docExpansion: 'list', urls: [{ url: '/v1/openapi.json', name: 'Quiver API /v1' }] },
    theme: { title: 'Quiver API' },
    staticCSP: true,
  });
  app.get('/v1/openapi.json', { config: { access: { public: true } }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
};

type Json = Record<string, unknown>;
interface OpenApiDocument extends Json {
  paths?: Record<string, Record<string, Json>>;
}

const jsonContent = (holder: unknown): Json | undefined => {
  const content = (holder as { content?: Record<string, Json> } | undefined)?.content;
  return content?.['application/json'] ?? (content ? Object.values(content)[0] : undefined);
};

/** Sets each operation's operationId and examples from the one table (openapi-operations.ts). */
const withOperationDocs = (doc: OpenApiDocument): OpenApiDocument => {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      const entry = OPERATIONS[`${method.toUpperCase()} ${path}`];
      if (!entry) continue;
      op.operationId = entry.id;
      applyExample(op, entry.example);
    }
  }
  return doc;
};

const applyExample = (op: Json, { request, response, params }: OperationExample) => {
  const body = jsonContent(op.requestBody);
  if (request !== undefined && body) body.example = request;
  const success = Object.entries((op.responses as Json | undefined) ?? {}).find(([status]) =>
    /^2/.test(status),
  );
  const answer = jsonContent(success?.[1]);
  if (response !== undefined && answer) answer.example = response;
  for (const parameter of (op.parameters as Json[] | undefined) ?? []) {
    const value = params?.[parameter.name as string];
    if (value !== undefined) parameter.example = value;
  }
};
