// Feature views and services, online and point-in-time reads: /v1/feature-views, /v1/feature-services, /v1/features.
import { type CallOptions, path, type Transport } from '../transport.ts';
import type {
  FeatureConsumerStatus,
  FeatureService,
  FeatureServiceInput,
  FeatureServiceList,
  FeaturesResponse,
  FeatureView,
  FeatureViewInput,
  FeatureViewList,
  HistoricalFeaturesRequest,
  OnlineFeaturesRequest,
} from '../types.ts';

export const featuresResource = (t: Transport) => ({
  views: {
    put: (name: string, view: FeatureViewInput, o?: CallOptions) =>
      t.call<FeatureView>({ method: 'PUT', path: path`/v1/feature-views/${name}`, json: view }, o),
    get: (name: string, o?: CallOptions) =>
      t.call<FeatureView>({ method: 'GET', path: path`/v1/feature-views/${name}` }, o),
    list: (o?: CallOptions) => t.call<FeatureViewList>({ method: 'GET', path: '/v1/feature-views' }, o),
  },
  services: {
    put: (name: string, service: FeatureServiceInput, o?: CallOptions) =>
      t.call<FeatureService>({ method: 'PUT', path: path`/v1/feature-services/${name}`, json: service }, o),
    get: (name: string, o?: CallOptions) =>
      t.call<FeatureService>({ method: 'GET', path: path`/v1/feature-services/${name}` }, o),
    list: (o?: CallOptions) => t.call<FeatureServiceList>({ method: 'GET', path: '/v1/feature-services' }, o),
  },
  online: (request: OnlineFeaturesRequest, o?: CallOptions) =>
    t.call<FeaturesResponse>({ method: 'POST', path: '/v1/features/online', json: request, read: true }, o),
  historical: (request: HistoricalFeaturesRequest, o?: CallOptions) =>
    t.call<FeaturesResponse>(
      { method: 'POST', path: '/v1/features/historical', json: request, read: true },
      o,
    ),
  /** The feature consumer's lag (operator key). */
  status: (o?: CallOptions) =>
    t.call<FeatureConsumerStatus>({ method: 'GET', path: '/v1/features/status' }, o),
});
