/** Starts the real server on a free port against the test Neo4j, and talks to it over HTTP. */
import { inject } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { neo4jUriOfWorker } from './workers.js';

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
  return parseConfig({ NEO4J_URI: overrides.NEO4J_URI ?? testNeo4jUri(), ADMIN_TOKEN, LOG_LEVEL: 'error', SYNC_DEBOUNCE_MS: '200', ...overrides });
}

/** The apps this test file has started and not stopped: the harness waits for them between tests. */
const live = new Set<App>();

export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const app = await buildApp(config, { logger: createLogger('error') });
  live.add(app);
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
    stop: async () => {
      live.delete(app);
      await app.stop();
    },
  };
}

/** How long quiescent() waits before it fails, naming what is still under way. */
const QUIESCENCE_TIMEOUT_MS = 90_000;

/**
 * Waits until the apps (by default every app this file started and has not stopped) have no
 * background work left: no change waiting for its debounce, no sync running, no event or webhook
 * delivery under way (App.idle). The harness calls it after every test; a test calls it before it
 * asserts on what background work writes, or on "nothing changed".
 */
export async function quiescent(...apps: (App | TestApp)[]): Promise<void> {
  const targets = apps.length > 0 ? apps.map((a) => ('app' in a ? a.app : a)) : [...live];
  for (const app of targets) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the app is not quiet after ${QUIESCENCE_TIMEOUT_MS / 1000} s: ${app.busyWith().join(', ')}`)), QUIESCENCE_TIMEOUT_MS);
    });
    try {
      await Promise.race([app.idle(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Empties the graph (the schema stays), once the app's background work is done. */
export async function resetGraph(app: App): Promise<void> {
  await quiescent(app);
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

/** The Neo4j this test file's worker owns. */
export function testNeo4jUri(): string {
  return neo4jUriOfWorker(inject('neo4jUris'));
}
