/** The environment is parsed once at boot: defaults, the contract's names, and every problem at once. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = parseConfig({});
    expect(config.port).toBe(4000);
    expect(config.neo4j).toEqual({ uri: null, user: 'neo4j', password: '', database: undefined, maxRetryMs: 15_000, unavailableMs: 3_000 });
    expect(config.redisUrl).toBeNull();
    expect(config.syncIntervalSeconds).toBe(3600);
    expect(config.safeguard).toEqual({ minMembers: 100, maxUnenrollRatio: 0.2 });
    expect(config.notifyWebhookUrl).toBeNull();
    expect(config.adminToken).toBeNull();
    expect(config.logLevel).toBe('info');
  });

  it('reads the contract\'s variable names', () => {
    const config = parseConfig({
      PORT: '8080',
      NEO4J_URI: 'neo4j+s://abc.databases.neo4j.io',
      NEO4J_USER: 'svc',
      NEO4J_PASSWORD: 'secret',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SYNC_INTERVAL_SECONDS: '60',
      SAFEGUARD_MIN_MEMBERS: '10',
      SAFEGUARD_MAX_UNENROLL_RATIO: '0.5',
      NOTIFY_WEBHOOK_URL: 'https://hooks.example/x',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
      NEO4J_DATABASE: 'governance',
      NEO4J_MAX_RETRY_MS: '2000',
      NEO4J_UNAVAILABLE_MS: '1500',
    });
    expect(config.port).toBe(8080);
    expect(config.neo4j).toEqual({ uri: 'neo4j+s://abc.databases.neo4j.io', user: 'svc', password: 'secret', database: 'governance', maxRetryMs: 2000, unavailableMs: 1500 });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.syncIntervalSeconds).toBe(60);
    expect(config.safeguard).toEqual({ minMembers: 10, maxUnenrollRatio: 0.5 });
    expect(config.notifyWebhookUrl).toBe('https://hooks.example/x');
    expect(config.adminToken).toBe('a-long-enough-admin-token');
  });

  it('treats empty values as unset', () => {
    const config = parseConfig({ PORT: '', NEO4J_URI: '', ADMIN_TOKEN: '', SAFEGUARD_MAX_UNENROLL_RATIO: '' });
    expect(config.port).toBe(4000);
    expect(config.neo4j.uri).toBeNull();
    expect(config.adminToken).toBeNull();
    expect(config.safeguard.maxUnenrollRatio).toBe(0.2);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      parseConfig({ PORT: 'eighty', SAFEGUARD_MAX_UNENROLL_RATIO: '1.5', NEO4J_URI: 'not a url', ADMIN_TOKEN: 'short', LOG_LEVEL: 'loud', SYNC_INTERVAL_SECONDS: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'SAFEGUARD_MAX_UNENROLL_RATIO', 'NEO4J_URI', 'ADMIN_TOKEN', 'LOG_LEVEL', 'SYNC_INTERVAL_SECONDS']) expect(problems).toContain(name);
  });

  it('refuses negative and fractional integers', () => {
    expect(() => parseConfig({ SAFEGUARD_MIN_MEMBERS: '-1' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: '80.5' })).toThrow(ConfigError);
  });
});
