import type { Viewer } from './auth/viewer.js';
import type { Loaders } from './loaders.js';
import type { LiveConnection } from './security/live.js';
import type { Services } from './services.js';

export interface Context {
  viewer: Viewer | null;
  loaders: Loaders;
  services: Services;
  /**
   * The open WebSocket or SSE stream this operation runs on (src/security/live.ts): its viewer as
   * it is now (a role change applies, a revoked token is null). Absent for plain HTTP requests.
   */
  connection?: LiveConnection;
}
