/** The environment, parsed and validated once at boot. */
import type { PolicyStep } from './directory/records.js';
export interface Config {
  port: number;
  neo4j: { uri: string | null; user: string; password: string; database: string | undefined; maxRetryMs: number; unavailableMs: number };
  redisUrl: string | null;
  syncIntervalSeconds: number;
  /** How often the scheduler syncs a profile with no change marked (the full reconciliation). */
  syncReconcileSeconds: number;
  syncDebounceMs: number;
  syncLeaseSeconds: number;
  safeguard: { minMembers: number; maxUnenrollRatio: number };
  notifyWebhookUrl: string | null;
  adminToken: string | null;
  publicUrl: string;
  maxPageSize: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Query limits, abuse controls and input rules (docs/security.md). */
  security: SecurityConfig;
  events: { pollMs: number; retentionHours: number; notifyBaseDelayMs: number; sequenceCatchUpMs: number };
  /** Approval steps of tasks whose entitlement (or profile) names no policy (docs/workflow.md). */
  workflowDefaults: { requestSteps: PolicyStep[]; revokeSteps: PolicyStep[] };
}

const APPROVER_TYPES = ['MANAGER', 'APP_OWNERS'] as const;

/**
 * A deployment default policy: approver types, one per step, comma separated ("MANAGER",
 * "MANAGER,APP_OWNERS"); "NONE" or empty for zero steps (auto-approve).
 */
export function parseDefaultPolicy(raw: string | undefined, fallback: PolicyStep[]): PolicyStep[] | null {
  if (raw === undefined) return fallback;
  const value = raw.trim().toUpperCase();
  if (value === '' || value === 'NONE') return [];
  const types = value.split(',').map((part) => part.trim());
  if (!types.every((type) => (APPROVER_TYPES as readonly string[]).includes(type))) return null;
  return types.map((type) => ({ approverType: type as PolicyStep['approverType'], userIds: [] }));
}

export interface SecurityConfig {
  /** NODE_ENV=development: field suggestions in validation errors are shown. */
  development: boolean;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  /** Rows an operation may ask for across nested connections (product of `first` along each path). */
  maxRows: number;
  /** Any string argument or variable longer than this is refused. */
  maxStringLength: number;
  /** Any list argument or variable (nested in inputs too) longer than this is refused. */
  maxListLength: number;
  /** Requests whose Content-Length is larger are refused before parsing. */
  maxRequestBytes: number;
  /** Token bucket per API token (0 turns the limiter off). */
  rateLimit: { perMinute: number; burst: number; anonymousPerMinute: number; anonymousBurst: number };
  /** Browser origins allowed on WebSocket (an Origin header outside the list is refused). */
  allowedOrigins: string[];
  /** Open WebSocket and SSE subscription streams per user, counted together (per instance). */
  wsMaxConnectionsPerUser: number;
  /** An open connection re-reads its token and user at least this often (changes made through the API reach it at once, src/security/live.ts). */
  connectionRecheckMs: number;
  /** A bearer token's viewer is read from Neo4j at most this often per instance (0: every request); credential changes end it at once (src/auth/viewer-cache.ts). */
  authCacheMs: number;
  /** Registered operations by SHA-256 of their text; null leaves persisted-operations mode off. */
  persistedOperationsFile: string | null;
  /** Who is held to registered operations when the mode is on. */
  persistedOperationsFor: 'ingest' | 'non-admin';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min = 0): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) problems.push(`${name} must be an integer >= ${min} (got "${raw}")`);
    return value;
  };
  const ratio = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) problems.push(`${name} must be a number from 0 to 1 (got "${raw}")`);
    return value;
  };
  const url = (name: string): string | null => {
    const raw = env[name];
    if (!raw) return null;
    try {
      new URL(raw);
    } catch {
      problems.push(`${name} must be a URL (got "${raw}")`);
    }
    return raw;
  };
  const defaultPolicy = (name: string, fallback: PolicyStep[]): PolicyStep[] => {
    const steps = parseDefaultPolicy(env[name], fallback);
    if (steps === null) problems.push(`${name} must list approver types (MANAGER, APP_OWNERS) separated by commas, or NONE (got "${env[name]}")`);
    return steps ?? fallback;
  };
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) problems.push(`LOG_LEVEL must be debug, info, warn or error`);
  const port = integer('PORT', 4000);
  const publicUrl = env.PUBLIC_URL ?? `http://localhost:${port}`;
  const origins = (name: string, fallback: string): string[] => {
    const raw = env[name];
    const list = raw === undefined || raw.trim() === '' ? [fallback] : raw.split(',').map((o) => o.trim()).filter(Boolean);
    return list.flatMap((o) => {
      if (o === '*') return ['*'];
      try {
        return [new URL(o).origin];
      } catch {
        problems.push(`${name} must be a comma-separated list of origins (got "${o}")`);
        return [];
      }
    });
  };
  const persistedFor = env.PERSISTED_OPERATIONS_FOR || 'ingest';
  if (persistedFor !== 'ingest' && persistedFor !== 'non-admin') problems.push('PERSISTED_OPERATIONS_FOR must be ingest or non-admin');
  const config: Config = {
    port,
    neo4j: {
      uri: url('NEO4J_URI'),
      user: env.NEO4J_USER ?? 'neo4j',
      password: env.NEO4J_PASSWORD ?? '',
      database: env.NEO4J_DATABASE || undefined,
      maxRetryMs: integer('NEO4J_MAX_RETRY_MS', 15_000, 0),
      unavailableMs: integer('NEO4J_UNAVAILABLE_MS', 3_000, 100),
    },
    redisUrl: url('REDIS_URL'),
    syncIntervalSeconds: integer('SYNC_INTERVAL_SECONDS', 3600, 1),
    syncReconcileSeconds: integer('SYNC_RECONCILE_SECONDS', 86_400, 1),
    syncDebounceMs: integer('SYNC_DEBOUNCE_MS', 2000, 0),
    syncLeaseSeconds: integer('SYNC_LEASE_SECONDS', 300, 1),
    safeguard: {
      minMembers: integer('SAFEGUARD_MIN_MEMBERS', 100),
      maxUnenrollRatio: ratio('SAFEGUARD_MAX_UNENROLL_RATIO', 0.2),
    },
    notifyWebhookUrl: url('NOTIFY_WEBHOOK_URL'),
    adminToken: env.ADMIN_TOKEN || null,
    publicUrl,
    maxPageSize: integer('MAX_PAGE_SIZE', 500, 1),
    logLevel: logLevel as Config['logLevel'],
    security: {
      development: env.NODE_ENV === 'development',
      maxDepth: integer('QUERY_MAX_DEPTH', 10, 1),
      maxAliases: integer('QUERY_MAX_ALIASES', 15, 0),
      maxDirectives: integer('QUERY_MAX_DIRECTIVES', 10, 0),
      maxTokens: integer('QUERY_MAX_TOKENS', 2000, 10),
      maxCost: integer('QUERY_MAX_COST', 5000, 1),
      maxRows: integer('QUERY_MAX_ROWS', 50_000, 1),
      maxStringLength: integer('INPUT_MAX_STRING_LENGTH', 65_536, 1),
      maxListLength: integer('INPUT_MAX_LIST_LENGTH', 50_000, 1),
      maxRequestBytes: integer('REQUEST_MAX_BYTES', 10 * 1024 * 1024, 1024),
      rateLimit: {
        perMinute: integer('RATE_LIMIT_PER_MINUTE', 1200, 0),
        burst: integer('RATE_LIMIT_BURST', 600, 1),
        anonymousPerMinute: integer('RATE_LIMIT_ANONYMOUS_PER_MINUTE', 120, 0),
        anonymousBurst: integer('RATE_LIMIT_ANONYMOUS_BURST', 60, 1),
      },
      allowedOrigins: origins('ALLOWED_ORIGINS', publicUrl),
      wsMaxConnectionsPerUser: integer('WS_MAX_CONNECTIONS_PER_USER', 10, 1),
      connectionRecheckMs: integer('CONNECTION_RECHECK_MS', 10_000, 100),
      authCacheMs: integer('AUTH_CACHE_MS', 1000, 0),
      persistedOperationsFile: env.PERSISTED_OPERATIONS_FILE || null,
      persistedOperationsFor: persistedFor as SecurityConfig['persistedOperationsFor'],
    },
    events: {
      // 250 ms: a token revoked or a user disabled on another instance closes this one's connections within 1 s without Redis.
      pollMs: integer('EVENTS_POLL_MS', 250, 10),
      retentionHours: integer('EVENTS_RETENTION_HOURS', 168, 1),
      notifyBaseDelayMs: integer('NOTIFY_BASE_DELAY_MS', 1000, 1),
      // Events an instance left pending (it stopped between a write's commit and its sequencing pass) get their seqs within this.
      sequenceCatchUpMs: integer('EVENTS_SEQUENCE_CATCH_UP_MS', 2000, 10),
    },
    workflowDefaults: { requestSteps: defaultPolicy('WORKFLOW_DEFAULT_REQUEST_POLICY', [{ approverType: 'MANAGER', userIds: [] }]), revokeSteps: defaultPolicy('WORKFLOW_DEFAULT_REVOKE_POLICY', []) },
  };
  if (config.adminToken !== null && config.adminToken.length < 16) problems.push('ADMIN_TOKEN must be at least 16 characters');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
