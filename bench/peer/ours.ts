/**
 * Our API for bench/reads.ts, as a child process beside the peer: buildApp on NEO4J_URI with a
 * bench admin token and no rate limit. A second port answers the statements run so far, by name
 * (the Database's counters), so the bench can print statements per request.
 *
 *   NEO4J_URI=bolt://127.0.0.1:7750 ADMIN_TOKEN=... node --import tsx bench/peer/ours.ts   # prints "listening <port> <statsPort>"
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

const config = parseConfig({ ...process.env, LOG_LEVEL: 'error', RATE_LIMIT_PER_MINUTE: '0' });
const app = await buildApp(config, { logger: createLogger('error') });
const port = await app.start(0);
const stats = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(Object.fromEntries(app.services.db.statementCounts)));
});
stats.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${port} ${(stats.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => {
  stats.close();
  void app.stop().then(() => process.exit(0));
});
