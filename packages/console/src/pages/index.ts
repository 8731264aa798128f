// Every page of the console by its id.
import type { ComponentType } from 'react';
import type { PageId } from '../router.ts';
import { Catalog } from './Catalog.tsx';
import { Endpoints } from './Endpoints.tsx';
import { Experiments } from './Experiments.tsx';
import { Models } from './Models.tsx';
import { Overview } from './Overview.tsx';
import { Recommendations } from './Recommendations.tsx';
import { Rollouts } from './Rollouts.tsx';
import { Search } from './Search.tsx';
import { Tenants } from './Tenants.tsx';
import { Training } from './Training.tsx';
import type { PageProps } from './types.ts';

export const PAGE_VIEWS: Record<PageId, ComponentType<PageProps>> = {
  overview: Overview,
  models: Models,
  endpoints: Endpoints,
  rollouts: Rollouts,
  experiments: Experiments,
  search: Search,
  recommendations: Recommendations,
  catalog: Catalog,
  training: Training,
  tenants: Tenants,
};
