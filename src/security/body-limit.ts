/**
 * REQUEST_MAX_BYTES while the body is read: a request whose Content-Length says more is refused
 * before anything is read, and any body (chunked, or longer than its Content-Length says) is
 * counted as it arrives and refused as soon as it passes the limit, before any of it is parsed.
 * Either way the answer is 413 with BAD_USER_INPUT and `limit: "request-size"`. yoga's own cap
 * (25 MB) never comes into play.
 */
import type { Plugin } from 'graphql-yoga';

type FetchAPI = { Response: typeof Response; Request: typeof Request };

export function tooLarge(fetchAPI: FetchAPI, maxBytes: number): Response {
  const body = { errors: [{ message: `The request body is larger than ${maxBytes} bytes`, extensions: { code: 'BAD_USER_INPUT', limit: 'request-size', max: maxBytes } }] };
  // The rest of the body is not read: the connection closes after the answer.
  return new fetchAPI.Response(JSON.stringify(body), { status: 413, headers: { 'content-type': 'application/json', connection: 'close' } });
}

/** The body's bytes, or null as soon as they pass maxBytes (the rest is left unread). */
async function readAtMost(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!request.body) return new Uint8Array(new ArrayBuffer(0));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      void reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(new ArrayBuffer(total));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

export function bodyLimitPlugin(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const length = Number(request.headers.get('content-length') ?? '0');
      if (Number.isFinite(length) && length > maxBytes) endResponse(tooLarge(fetchAPI, maxBytes));
    },
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser || request.method === 'GET' || request.method === 'HEAD' || !request.body) return;
      const parse = requestParser;
      // The parser yoga chose (JSON, form, multipart) gets the body once it is known to be within the limit.
      setRequestParser(async (incoming) => {
        const bytes = await readAtMost(incoming, maxBytes);
        if (bytes === null) return tooLarge(fetchAPI, maxBytes);
        return parse(new fetchAPI.Request(incoming.url, { method: incoming.method, headers: incoming.headers, body: bytes }));
      });
    },
  };
}
