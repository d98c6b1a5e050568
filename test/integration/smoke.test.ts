import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
});
afterAll(async () => t?.stop());

describe('the API', () => {
  it('answers health and a query', async () => {
    const health = await fetch(t.url.replace('/graphql', '/health'));
    expect(health.status).toBe(200);
    const data = await t.admin(`{ users(first: 5) { totalCount edges { node { id } } } }`);
    expect(data.users.totalCount).toBe(0);
  });
});
