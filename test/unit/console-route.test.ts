/** The console's routes (src/console.ts) on a bare HTTP server over a throwaway build folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { consoleRoute, type DemoPersona } from '../../src/console.js';

const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
let personas: DemoPersona[] | null = null;
let server: Server;
let base = '';

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dist, 'assets', 'index-abc.css'), 'body{}');
  const route = consoleRoute({ distDir: dist, demoPersonas: () => personas as DemoPersona[] });
  const plain = consoleRoute({ distDir: join(dist, 'missing') });
  server = createServer((req, res) => {
    const handled = req.headers['x-plain'] ? plain(req, res) : route(req, res);
    if (!handled) {
      res.writeHead(418);
      res.end('not the console');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

describe('the console route', () => {
  test('files come with their content type, the console CSP, and hashed assets are immutable', async () => {
    const js = await fetch(`${base}/console/assets/index-abc.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    const css = await fetch(`${base}/console/assets/index-abc.css`);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });

  test('every other console path answers index.html (the console routes in the browser)', async () => {
    for (const path of ['/console/', '/console/profiles/QWNj%3D/review', '/console/tasks?userId=x']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await response.text()).toContain('<title>console</title>');
    }
    const bare = await fetch(`${base}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
  });

  test('a browser asking for / goes to the console; other clients and paths are left alone', async () => {
    const browser = await fetch(`${base}/`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/console/');
    expect((await fetch(`${base}/`, { redirect: 'manual' })).status).toBe(418);
    expect((await fetch(`${base}/graphql`)).status).toBe(418);
    expect((await fetch(`${base}/consoles`)).status).toBe(418);
  });

  test('the demo personas are listed only when the server runs the demo', async () => {
    personas = [{ key: 'admin', name: 'Ada', what: 'admin', token: 'secret' }];
    const listed = await fetch(`${base}/console/demo-personas.json`);
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    expect(await listed.json()).toEqual({ personas });
    const plain = await fetch(`${base}/console/demo-personas.json`, { headers: { 'x-plain': '1' } });
    expect(plain.status).toBe(404);
    expect(JSON.stringify(await plain.json())).not.toContain('secret');
  });

  test('writes are refused, and a missing build says how to make it', async () => {
    expect((await fetch(`${base}/console/`, { method: 'POST', body: 'x' })).status).toBe(405);
    const missing = await fetch(`${base}/console/`, { headers: { 'x-plain': '1' } });
    expect(missing.status).toBe(503);
    expect(await missing.text()).toContain('scripts/demo.sh');
  });
});
