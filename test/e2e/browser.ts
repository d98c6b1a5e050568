/**
 * The e2e harness: the real API (buildApp on the test Neo4j, serving console/dist) and Debian's
 * Chromium driven by playwright-core; an axe-core check per screen and a screenshot of each
 * (into docs/console/ with UPDATE_SCREENSHOTS=1).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import type { DemoPersona } from '../../src/console.js';
import { createLogger } from '../../src/logger.js';
import { ADMIN_TOKEN, testConfig } from '../helpers/app.js';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/**
 * Where the screens are photographed: docs/console/ with UPDATE_SCREENSHOTS=1 (to refresh the
 * docs), else a temporary folder, so an ordinary run leaves the working tree as it was.
 */
export const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1' ? new URL('../../docs/console/', import.meta.url) : pathToFileURL(`${mkdtempSync(join(tmpdir(), 'console-screens-'))}/`);

export function chromiumPath(): string {
  return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export interface ConsoleServer {
  app: App;
  /** http://127.0.0.1:<port> */
  origin: string;
  personas: DemoPersona[];
  /** Runs an operation as the bootstrap admin; fails on any error. */
  admin<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export async function startConsoleServer(overrides: Record<string, string> = {}, graphiqlHeaders?: Record<string, string>): Promise<ConsoleServer> {
  const personas: DemoPersona[] = [];
  const app = await buildApp(testConfig(overrides), { logger: createLogger('error'), console: { demoPersonas: () => personas }, ...(graphiqlHeaders ? { graphiqlHeaders } : {}) });
  await app.services.db.emptyGraph();
  const port = await app.start(0);
  const origin = `http://127.0.0.1:${port}`;
  const admin = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data as T;
  };
  return { app, origin, personas, admin, stop: () => app.stop() };
}

/** A page that fails the test on a CSP violation or an uncaught error in the console. */
export async function openPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  (page as Page & { problems?: string[] }).problems = problems;
  return page;
}

export function problemsOf(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(severe, `accessibility of ${screen}`).toEqual([]);
}

/** A full-page screenshot (<name>.png under SCREENSHOTS), after the accessibility check. */
export async function screen(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true });
  expect(problemsOf(page)).toEqual([]);
}
