// The Open Inference Protocol over gRPC (`inference.GRPCInferenceService`, Triton's and KServe's .proto files):
// the same service, keys, tenancy, batching, cache and metrics as the REST routes, on its own port.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { classifyError } from '../../../http/index.ts';
import { MAX_TIMEOUT_MS } from '../schemas.ts';
import type { InferenceService } from '../service.ts';
import { fromGrpcRequest, type GrpcInferRequest, toGrpcResponse } from './convert.ts';

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

/** gRPC status of each HTTP status the one error classifier answers with. */
const GRPC_STATUS: Record<number, grpc.status> = {
  400: grpc.status.INVALID_ARGUMENT,
  401: grpc.status.UNAUTHENTICATED,
  403: grpc.status.PERMISSION_DENIED,
  404: grpc.status.NOT_FOUND,
  409: grpc.status.ALREADY_EXISTS,
  413: grpc.status.RESOURCE_EXHAUSTED,
  415: grpc.status.INVALID_ARGUMENT,
  422: grpc.status.FAILED_PRECONDITION,
  429: grpc.status.RESOURCE_EXHAUSTED,
  503: grpc.status.UNAVAILABLE,
  504: grpc.status.DEADLINE_EXCEEDED,
};

/** Checks the `authorization` metadata (a bearer key holding `scope`); answers the key's tenant id. */
export type GrpcAuthorize = (
  authorization: string | undefined,
  scope: 'infer' | 'models:write',
) => Promise<string>;

export interface GrpcDeps {
  inference: InferenceService;
  authorize: GrpcAuthorize;
  /** Where internal errors are logged. */
  log?: { error(fields: object, message: string): void };
}

export interface GrpcOptions {
  /** Largest request message accepted (the /v2 body limit); larger ones fail RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
}

export interface GrpcServer {
  /** Binds `host:port` (0 picks a free port) and serves; resolves the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Stops taking calls, lets running ones finish for up to `graceMs`, then cancels the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Triton's `inference` package, as this server and its clients (the tests) decode it. */
export const loadInferenceProto = (): grpc.GrpcObject =>
  grpc.loadPackageDefinition(
    protoLoader.loadSync('grpc_service.proto', {
      includeDirs: [PROTO_DIR],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    }),
  );

const loadService = () => {
  const root = loadInferenceProto() as unknown as {
    inference: { GRPCInferenceService: { service: grpc.ServiceDefinition } };
  };
  return root.inference.GRPCInferenceService.service;
};

/** The error as a gRPC status with its message (and Retry-After in the trailers, as REST sends it). */
const toServiceError = (error: unknown, log: GrpcDeps['log']): Partial<grpc.StatusObject> => {
  const answer = classifyError(error, 'grpc');
  if (answer.log === 'error') log?.error({ err: error }, 'gRPC call failed');
  const metadata = new grpc.Metadata();
  if (answer.retryAfterS !== undefined) metadata.set('retry-after', String(Math.ceil(answer.retryAfterS)));
  return {
    code: GRPC_STATUS[answer.status] ?? grpc.status.INTERNAL,
    details: answer.detail,
    metadata,
  };
};

/** Milliseconds left before the call's deadline, or undefined when the client set none. */
const timeoutOf = (
  call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
) => {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at)) return undefined;
  return Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.floor(at - Date.now())));
};

const authorization = (metadata: grpc.Metadata): string | undefined => {
  const value = metadata.get('authorization')[0];
  return typeof value === 'string' ? value : undefined;
};

export const createGrpcServer = (deps: GrpcDeps, options: GrpcOptions): GrpcServer => {
  const { inference } = deps;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': -1,
  });

  /**
   * A unary handler: `run` gets the tenant of a key holding `scope` (no key needed when `open`) and the
   * request; errors become statuses.
   */
  const unary =
    <Req, Res>(
      run: (tenant: string, req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
      scope: 'infer' | 'models:write' | 'open' = 'infer',
    ) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      const tenant = async () =>
        scope === 'open' ? '' : deps.authorize(authorization(call.metadata), scope);
      (async () => run(await tenant(), call.request, call))().then(
        (answer) => callback(null, answer),
        (error) => callback(toServiceError(error, deps.log)),
      );
    };

  const infer = async (tenant: string, req: GrpcInferRequest, timeoutMs: number | undefined) => {
    const { body, binary } = fromGrpcRequest(req);
    const answer = await inference.infer(tenant, req.model_name, req.model_version || undefined, body, {
      binary,
      timeoutMs,
    });
    return toGrpcResponse(answer);
  };

  const metadataOf = (tenant: string, req: { name: string; version: string }) =>
    inference.metadata(tenant, req.name, req.version || undefined);

  const handlers: grpc.UntypedServiceImplementation = {
    ServerLive: unary(() => ({ live: true }), 'open'),
    ServerReady: unary(() => ({ ready: inference.ready() }), 'open'),
    ServerMetadata: unary(() => inference.server()),
    ModelReady: unary(async (tenant, req: { name: string; version: string }, call) => ({
      ready: (
        await inference.modelReady(tenant, req.name, req.version || undefined, { timeoutMs: timeoutOf(call) })
      ).ready,
    })),
    ModelMetadata: unary(metadataOf),
    ModelInfer: unary((tenant, req: GrpcInferRequest, call) => infer(tenant, req, timeoutOf(call))),
    // The extensions, answered by the same service methods as their REST routes.
    ModelConfig: unary(async (tenant, req: { name: string; version: string }) => ({
      config: await inference.config(tenant, req.name, req.version || undefined),
    })),
    ModelStatistics: unary((tenant, req: { name: string; version: string }) =>
      inference.statistics(tenant, req.name || undefined, req.version || undefined),
    ),
    RepositoryIndex: unary(async (tenant, req: { ready: boolean }) => ({
      models: await inference.repositoryIndex(tenant, req.ready),
    })),
    RepositoryModelLoad: unary(async (tenant, req: { model_name: string }) => {
      await inference.loadModel(tenant, req.model_name);
      return {};
    }, 'models:write'),
    RepositoryModelUnload: unary(async (tenant, req: { model_name: string }) => {
      await inference.unloadModel(tenant, req.model_name);
      return {};
    }, 'models:write'),
    // Each request answered as it completes (Triton's decoupled order); an error is a message, not the end.
    ModelStreamInfer: (call: grpc.ServerDuplexStream<GrpcInferRequest, unknown>) => {
      const tenant = deps.authorize(authorization(call.metadata), 'infer');
      let pending = 0;
      let ended = false;
      const settle = () => {
        if (ended && pending === 0) call.end();
      };
      call.on('data', (req: GrpcInferRequest) => {
        pending++;
        tenant
          .then((t) => infer(t, req, timeoutOf(call)))
          .then(
            (response) => call.write({ error_message: '', infer_response: response }),
            (error) => {
              const status = toServiceError(error, deps.log);
              call.write({ error_message: status.details, infer_response: null });
            },
          )
          .finally(() => {
            pending--;
            settle();
          });
      });
      call.on('end', () => {
        ended = true;
        settle();
      });
    },
  };
  server.addService(loadService(), handlers);

  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        );
      }),
    close: (graceMs = 5_000) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
};
