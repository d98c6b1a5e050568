/**
 * GraphiQL in a browser with every host but the API blocked: its files come from the API (no
 * CDN), and a subscription run in it receives its event (the token of its headers reaches the
 * WebSocket's connection_init).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ADMIN_TOKEN } from '../helpers/app.js';
import { launch, SCREENSHOTS, startConsoleServer, type ConsoleServer } from './browser.js';
import { seed } from './seed.js';

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsoleServer({}, { Authorization: `Bearer ${ADMIN_TOKEN}` });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('GraphiQL loads offline and a subscription receives its event', async () => {
  await seed(server);
  const group = await server.admin<{ e: { id: string } }>('{ e: entitlementByExternalId(externalId: "idp-eng") { id } }');
  const created = await server.admin<{ p: { id: string } }>('mutation { p: createAccessProfile(input: { name: "Offline check" }) { id } }');
  const profileId = created.p.id;
  await server.admin('mutation($p: ID!, $e: ID!) { setMembershipAutomation(profileId: $p, input: { enabled: true, conditionEntitlementIds: [$e] }) { id } }', { p: profileId, e: group.e.id });
  await server.app.idle();

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(45_000);
  const external: string[] = [];
  const api = new URL(server.origin).host;
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.host === api) return route.continue();
    external.push(url.href);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  const closes: number[] = [];
  /** What GraphiQL's sockets received: the pane shows only the latest result, and a tiny sync's
   * SYNC_STARTED and SYNC_COMPLETED can arrive together, so the first one is checked here. */
  const received: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('close', () => closes.push(1));
    ws.on('framereceived', ({ payload }) => received.push(String(payload)));
  });
  await page.goto(`${server.origin}/graphql`);
  await page.getByRole('button', { name: /Execute query/ }).waitFor();
  await page.locator('.graphiql-query-editor').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(`subscription { syncEvents(profileId: "${profileId}") { type runId } }`);

  const stream = server.app.services.eventStream;
  const before = stream.opened;
  await page.getByRole('button', { name: /Execute query/ }).click();
  await expect.poll(() => stream.opened).toBeGreaterThan(before);
  await server.admin('mutation($p: ID!) { syncNow(profileId: $p) { id } }', { p: profileId });
  await expect.poll(() => received.find((frame) => frame.includes('"next"') && frame.includes('SYNC_STARTED'))).toBeDefined();
  await expect.poll(() => page.locator('.graphiql-response').innerText()).toMatch(/SYNC_(STARTED|PROGRESS|COMPLETED)/);
  expect(external).toEqual([]);
  await page.screenshot({ path: new URL('graphiql-subscription.png', SCREENSHOTS).pathname });
  await context.close();
});
