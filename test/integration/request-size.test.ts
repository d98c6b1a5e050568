/**
 * REQUEST_MAX_BYTES holds while the body is read, whether it comes chunked (no Content-Length) or
 * with a Content-Length, anonymous or not: 413 with BAD_USER_INPUT and `limit: "request-size"`,
 * and nothing of it is parsed or run. Before, 12 MiB and 23 MiB chunked bodies were read and
 * parsed (yoga's 25 MB default was the only cap).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';

const MAX = 1024 * 1024;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ REQUEST_MAX_BYTES: String(MAX), INPUT_MAX_STRING_LENGTH: String(MAX) });
  await resetGraph(t.app);
});
afterAll(async () => t?.stop());

const directoryReads = (): number => [...t.app.services.db.statementCounts].filter(([name]) => name.startsWith('directory/')).reduce((sum, [, n]) => sum + n, 0);

/**
 * POSTs a JSON operation whose search string is `padding` bytes long, in 64 KiB chunks; chunked
 * (no Content-Length) unless `withLength`. Stops writing once the answer arrives.
 */
function post(padding: number, options: { chunked: boolean; token: string | null }): Promise<{ status: number; body: any }> {
  const head = Buffer.from('{"query":"{ users(search: \\"');
  const tail = Buffer.from('\\") { totalCount } }"}');
  const total = head.length + padding + tail.length;
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) }),
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = padding;
    const writeMore = (): void => {
      if (answered) return;
      if (left === 0) {
        req.end(tail);
        return;
      }
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (req.write(piece)) setImmediate(writeMore);
      else req.once('drain', writeMore);
    };
    req.write(head);
    writeMore();
  });
}

describe('REQUEST_MAX_BYTES', () => {
  for (const chunked of [true, false]) {
    for (const token of [ADMIN_TOKEN, null]) {
      it(`refuses a ${chunked ? 'chunked' : 'Content-Length'} body over the limit with 413 (${token ? 'admin' : 'anonymous'}), before any of it runs`, async () => {
        const before = directoryReads();
        for (const size of [MAX + 1, 12 * MAX]) {
          const answer = await post(size, { chunked, token });
          expect(answer.status).toBe(413);
          expect(answer.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'request-size', max: MAX });
        }
        expect(directoryReads()).toBe(before);
      });
    }
  }

  it('serves a chunked body within the limit', async () => {
    const answer = await post(MAX / 2, { chunked: true, token: ADMIN_TOKEN });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { users: { totalCount: 0 } } });
  });
});
