/**
 * The CSV exports take from the same rate-limit buckets as GraphQL operations: a token's exports
 * past its burst answer 429 with Retry-After, and they spend the budget its operations use; without
 * a valid token, the client address's bucket. Before, 700 of 700 exports by one token were served
 * while GraphQL refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
const BURST = 5;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: String(BURST), RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1', RATE_LIMIT_ANONYMOUS_BURST: '3' });
  await resetGraph(t.app);
});
afterAll(async () => t?.stop());

const exportOnce = async (token: string | null) => {
  const response = await fetch(t.url.replace('/graphql', '/export/empty-profiles.csv'), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text };
};

describe('rate limits on the CSV exports', () => {
  it("a token's exports past its burst answer 429 with Retry-After, and its GraphQL operations share the budget", async () => {
    const answers = [];
    for (let i = 0; i < BURST + 3; i++) answers.push(await exportOnce(ADMIN_TOKEN));
    expect(answers.slice(0, BURST).map((a) => a.status)).toEqual(Array(BURST).fill(200));
    for (const refused of answers.slice(BURST)) {
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(refused.text).errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    }
    const operation = await t.request(`{ users { totalCount } }`);
    expect(operation.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('without a valid token, the address is limited too (429 before the 401)', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await exportOnce(i % 2 === 0 ? null : 'age_not-a-real-token')).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
