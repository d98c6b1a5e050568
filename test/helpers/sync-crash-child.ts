/**
 * A sync killed half-way: builds the services against the given Neo4j, runs a sync of one profile
 * with a tiny batch size and SIGKILLs its own process right after the first batch commits.
 *   NEO4J_URI=... SYNC_LEASE_SECONDS=2 npx tsx test/helpers/sync-crash-child.ts <profileId> <batchSize>
 */
import { buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

const [profileId, batchSize] = process.argv.slice(2);
const app = await buildApp(parseConfig({ ...process.env, LOG_LEVEL: 'error' }), { logger: createLogger('error') });
app.services.sync.batchSize = Number(batchSize ?? 5);
app.services.sync.hooks.afterBatch = ({ phase }) => {
  if (phase === 'enroll') {
    process.stdout.write('killed after one batch\n');
    process.kill(process.pid, 'SIGKILL');
  }
};
await app.services.sync.sync(profileId!, 'MANUAL', null);
process.stdout.write('finished without being killed\n');
process.exit(0);
