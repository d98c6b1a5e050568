/** The environment, parsed and validated once at boot. */
export interface Config {
  port: number;
  neo4j: { uri: string | null; user: string; password: string; database: string | undefined };
  redisUrl: string | null;
  syncIntervalSeconds: number;
  syncDebounceMs: number;
  syncLeaseSeconds: number;
  safeguard: { minMembers: number; maxUnenrollRatio: number };
  notifyWebhookUrl: string | null;
  adminToken: string | null;
  publicUrl: string;
  maxPageSize: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
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
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) problems.push(`LOG_LEVEL must be debug, info, warn or error`);
  const port = integer('PORT', 4000);
  const config: Config = {
    port,
    neo4j: {
      uri: url('NEO4J_URI'),
      user: env.NEO4J_USER ?? 'neo4j',
      password: env.NEO4J_PASSWORD ?? '',
      database: env.NEO4J_DATABASE || undefined,
    },
    redisUrl: url('REDIS_URL'),
    syncIntervalSeconds: integer('SYNC_INTERVAL_SECONDS', 3600, 1),
    syncDebounceMs: integer('SYNC_DEBOUNCE_MS', 2000, 0),
    syncLeaseSeconds: integer('SYNC_LEASE_SECONDS', 300, 1),
    safeguard: {
      minMembers: integer('SAFEGUARD_MIN_MEMBERS', 100),
      maxUnenrollRatio: ratio('SAFEGUARD_MAX_UNENROLL_RATIO', 0.2),
    },
    notifyWebhookUrl: url('NOTIFY_WEBHOOK_URL'),
    adminToken: env.ADMIN_TOKEN || null,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${port}`,
    maxPageSize: integer('MAX_PAGE_SIZE', 500, 1),
    logLevel: logLevel as Config['logLevel'],
  };
  if (config.adminToken !== null && config.adminToken.length < 16) problems.push('ADMIN_TOKEN must be at least 16 characters');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
