/** Starts the real server on a free port against the test Neo4j, and talks to it over HTTP. */
import { inject } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import '../../src/capabilities.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: App;
  url: string;
  /** Runs an operation; returns the whole response body. */
  request<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Runs an operation as the bootstrap admin and fails on any error. */
  admin<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({ NEO4J_URI: inject('neo4jUri'), ADMIN_TOKEN, LOG_LEVEL: 'error', SYNC_DEBOUNCE_MS: '200', ...overrides });
}

export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const app = await buildApp(config, { logger: createLogger('error') });
  await app.start(0);
  const url = app.url();
  const request = async <T>(query: string, variables: Record<string, unknown> = {}, token: string | null = ADMIN_TOKEN): Promise<GraphQLResponse<T>> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };
  return {
    app,
    url,
    request,
    admin: async <T>(query: string, variables: Record<string, unknown> = {}) => {
      const body = await request<T>(query, variables);
      if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data as T;
    },
    stop: () => app.stop(),
  };
}

/** Empties the graph (the schema stays). Test files run one at a time, each from a clean graph. */
export async function resetGraph(app: App): Promise<void> {
  await app.services.db.emptyGraph();
}

/** Runs one statement straight on the test graph (seeding, and asserting what the API does not show). */
export async function runCypher<T = Record<string, any>>(t: TestApp, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const session = t.app.services.db.driver.session();
  try {
    const result = await session.run(query, params);
    return result.records.map((r) => r.toObject() as T);
  } finally {
    await session.close();
  }
}

export function codesOf(body: GraphQLResponse<unknown>): unknown[] {
  return (body.errors ?? []).map((e) => e.extensions?.code);
}
