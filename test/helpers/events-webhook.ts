/** A local webhook receiver (node:http on 127.0.0.1, port 0) that records what it is posted, and can fail the first calls. */
import { createServer } from 'node:http';

export interface WebhookReceiver {
  url: string;
  /** Bodies of the posts answered 200, parsed. */
  received: Record<string, any>[];
  /** Every post, answered or not. */
  attempts: number;
  /** The next `n` posts are answered 500. */
  failNext(n: number): void;
  until(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let failing = 0;
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    attempts: 0,
    failNext: (n) => {
      failing = n;
    },
    until: async (count, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (receiver.received.length < count) {
        if (Date.now() > deadline) throw new Error(`webhook got ${receiver.received.length} of ${count} posts`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      receiver.attempts += 1;
      if (failing > 0) {
        failing -= 1;
        res.writeHead(500).end('try later');
        return;
      }
      receiver.received.push(JSON.parse(body) as Record<string, any>);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return receiver;
}
