import type { Viewer } from './auth/viewer.js';
import type { Loaders } from './loaders.js';
import type { Services } from './services.js';

export interface Context {
  viewer: Viewer | null;
  loaders: Loaders;
  services: Services;
}
