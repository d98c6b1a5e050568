/**
 * Health: GET /health answers 200 while Neo4j answers, 503 while it is down, and the API recovers
 * by itself when Neo4j is back. Runs on a Neo4j of its own, which it stops and wipes at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNeo4j, stopNeo4j, wipeNeo4j } from '../../scripts/neo4j.js';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { codeOf, expectNoInternals } from '../helpers/foundation-graph.js';

const NAME = 'health';
// Beside the suite's own Neo4j (NEO4J_TEST_PORT), so that two checkouts testing at once set both apart.
const PORT = Number(process.env.NEO4J_HEALTH_TEST_PORT ?? Number(process.env.NEO4J_TEST_PORT ?? 7688) + 25);
let t: TestApp | undefined;

beforeAll(async () => {
  const server = await startNeo4j({ name: NAME, port: PORT, heap: '256m', pageCache: '64m' });
  // A short driver retry: a request while Neo4j is down fails after a second, not fifteen.
  t = await startTestApp({ NEO4J_URI: server.uri, NEO4J_MAX_RETRY_MS: '1000' });
  await resetGraph(t.app);
}, 300_000);

afterAll(async () => {
  await t?.stop();
  await stopNeo4j(NAME);
  wipeNeo4j(NAME);
}, 120_000);

const health = async () => {
  const response = await fetch(t!.url.replace('/graphql', '/health'));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/** Polls until `check` holds; the bound is generous, the test asserts outcomes, not speed. */
async function eventually(check: () => Promise<boolean>, attempts = 480): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('condition not reached');
}

describe('GET /health', () => {
  it('answers 200 while Neo4j answers, 503 while it is down, and recovers by itself', async () => {
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', neo4j: true } });
    await t!.admin(`mutation { upsertUsers(users: [{ externalId: "h1", email: "h1@x.example", displayName: "H" }]) { created } }`);

    await stopNeo4j(NAME);
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body.neo4j).toBe(false);
    // the API itself keeps running: a query gets a clean error, not a hang or a crash
    const body = await t!.request(`{ users { totalCount } }`);
    expect(codeOf(body)).toBe('INTERNAL');
    expectNoInternals(body);
    expect(JSON.stringify(body)).not.toMatch(new RegExp(`${PORT}|bolt:|ECONNREFUSED|ServiceUnavailable`));

    await startNeo4j({ name: NAME, port: PORT, heap: '256m', pageCache: '64m' });
    await eventually(async () => (await health()).status === 200);
    await eventually(async () => (await t!.request(`{ users { totalCount } }`)).errors === undefined, 120);
    const data = await t!.admin(`{ users { totalCount } userByExternalId(externalId: "h1") { displayName } }`);
    expect(data).toEqual({ users: { totalCount: 1 }, userByExternalId: { displayName: 'H' } });
  }, 400_000);
});
