// HTTP routes of the feature store. Who may call what: defining views and services needs `admin`; reading
// features and definitions (online, historical, lists) needs `features:read`, which `infer` (the scope model
// serving holds) also grants.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ERROR_RESPONSES,
  FeatureConsumerStatusSchema,
  FeatureNameSchema,
  FeatureServiceInputSchema,
  FeatureServiceListSchema,
  FeatureServiceSchema,
  FeaturesResponseSchema,
  FeatureViewInputSchema,
  FeatureViewListSchema,
  FeatureViewSchema,
  HistoricalFeaturesRequestSchema,
  OnlineFeaturesRequestSchema,
  ProblemSchema,
} from '@quiver/contracts';
import { Type } from 'typebox';
import { tenantOf } from '../../http/index.ts';
import type { FeaturesService } from './service.ts';

const errors = ERROR_RESPONSES;
const NameParams = Type.Object({ name: FeatureNameSchema });
const tags = ['features'];

export const featuresRoutes =
  (features: FeaturesService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.put(
      '/v1/feature-views/:name',
      {
        config: { access: { scope: 'admin' } },
        schema: {
          tags,
          summary: 'Create or replace a feature view (a changed definition gets a new version)',
          params: NameParams,
          body: FeatureViewInputSchema,
          response: { 200: FeatureViewSchema, 201: FeatureViewSchema, 409: ProblemSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { view, created } = await features.putView(
          tenantOf(request),
          request.params.name,
          request.body,
        );
        return reply.code(created ? 201 : 200).send(view);
      },
    );

    app.get(
      '/v1/feature-views',
      {
        config: { access: { scope: 'features:read' } },
        schema: {
          tags,
          summary: 'List feature views, built-in ones included',
          response: { 200: FeatureViewListSchema, ...errors },
        },
      },
      async (request) => features.listViews(tenantOf(request)),
    );

    app.get(
      '/v1/feature-views/:name',
      {
        config: { access: { scope: 'features:read' } },
        schema: {
          tags,
          summary: 'Read a feature view',
          params: NameParams,
          response: { 200: FeatureViewSchema, ...errors },
        },
      },
      async (request) => features.getView(tenantOf(request), request.params.name),
    );

    app.put(
      '/v1/feature-services/:name',
      {
        config: { access: { scope: 'admin' } },
        schema: {
          tags,
          summary: 'Create or replace a feature service: a named list of features',
          params: NameParams,
          body: FeatureServiceInputSchema,
          response: { 200: FeatureServiceSchema, 201: FeatureServiceSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { service, created } = await features.putService(
          tenantOf(request),
          request.params.name,
          request.body,
        );
        return reply.code(created ? 201 : 200).send(service);
      },
    );

    app.get(
      '/v1/feature-services',
      {
        config: { access: { scope: 'features:read' } },
        schema: {
          tags,
          summary: 'List feature services',
          response: { 200: FeatureServiceListSchema, ...errors },
        },
      },
      async (request) => features.listServices(tenantOf(request)),
    );

    app.get(
      '/v1/feature-services/:name',
      {
        config: { access: { scope: 'features:read' } },
        schema: {
          tags,
          summary: 'Read a feature service',
          params: NameParams,
          response: { 200: FeatureServiceSchema, ...errors },
        },
      },
      async (request) => features.getService(tenantOf(request), request.params.name),
    );

    app.post(
      '/v1/features/online',
      {
        config: { access: { scope: 'features:read' } },
        schema: {
          tags,
          summary: 'Read features for entities: values, statuses and event timestamps per row (Feast-like)',
          body: OnlineFeaturesRequestSchema,
          response: { 200: FeaturesResponseSchema, 503: ProblemSchema, ...errors },
        },
      },
      async (request) => features.online(tenantOf(request), request.body),
    );

    app.post(
      '/v1/features/historical',
      {
        config: { access: { scope: 'features:read' } },
        schema: {
          tags,
          summary: 'Point-in-time correct features for entity rows with timestamps, from the event log',
          body: HistoricalFeaturesRequestSchema,
          response: { 200: FeaturesResponseSchema, 503: ProblemSchema, ...errors },
        },
      },
      async (request) => features.historical(tenantOf(request), request.body),
    );

    app.get(
      '/v1/features/status',
      {
        config: { access: { operator: true } },
        schema: {
          tags,
          summary: "The feature consumer's lag and whether it is rebuilding lost state (operator)",
          response: {
            200: FeatureConsumerStatusSchema,
            ...errors,
          },
        },
      },
      async () => features.status(),
    );
  };
