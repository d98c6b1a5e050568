/**
 * The admin console's built files (console/dist, `vite build`), served at /console: static files
 * through sirv (content types, ETags, immutable hashed assets), every other /console/* path
 * answered with index.html (the console routes in the browser), and a strict Content Security
 * Policy: the console loads nothing but its own files and talks only to this API.
 * In the demo only, /console/demo-personas.json lists the demo personas' tokens (docs/console.md).
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

export const CONSOLE_PATH = '/console';
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'console', 'dist');

export interface DemoPersona {
  key: string;
  name: string;
  what: string;
  token: string;
}

export interface ConsoleOptions {
  /** Where the built console is (default console/dist). */
  distDir?: string;
  /** The demo's personas and their tokens; only scripts/start.ts --demo passes it. */
  demoPersonas?: () => readonly DemoPersona[];
}

/** The console's CSP: its own scripts and styles, the API on the same origin (HTTP and WebSocket). */
export function consoleHeaders(host: string | undefined): Record<string, string> {
  const sockets = host ? ` ws://${host} wss://${host}` : '';
  return {
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'${sockets}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

/**
 * Answers the console's routes; false for every other path. `GET /` from a browser (Accept:
 * text/html) goes to the console; other clients keep going to /graphql.
 */
export function consoleRoute(options: ConsoleOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const dist = options.distDir ?? DIST;
  let serve: ReturnType<typeof sirv> | null = null;
  const files = () => {
    serve ??= sirv(dist, {
      single: true,
      etag: true,
      setHeaders: (res, pathname) => {
        for (const [name, value] of Object.entries(consoleHeaders(res.req.headers.host))) res.setHeader(name, value);
        res.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    return serve;
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const [path] = url.split('?');
    if (path === '/' && req.method === 'GET' && wantsHtml(req)) {
      res.writeHead(302, { location: `${CONSOLE_PATH}/` });
      res.end();
      return true;
    }
    if (path !== CONSOLE_PATH && !path?.startsWith(`${CONSOLE_PATH}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('The console is read with GET.\n');
      return true;
    }
    if (path === CONSOLE_PATH) {
      res.writeHead(301, { location: `${CONSOLE_PATH}/` });
      res.end();
      return true;
    }
    if (path === `${CONSOLE_PATH}/demo-personas.json`) {
      const personas = options.demoPersonas?.();
      res.writeHead(personas ? 200 : 404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(JSON.stringify(personas ? { personas } : { error: 'Only the demo lists its personas' }));
      return true;
    }
    if (!existsSync(join(dist, 'index.html'))) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The console is not built yet: run bash scripts/demo.sh (or npx vite build --config console/vite.config.ts).\n');
      return true;
    }
    req.url = url.slice(CONSOLE_PATH.length) || '/';
    files()(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
    });
    return true;
  };
}
