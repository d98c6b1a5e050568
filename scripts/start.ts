/**
 * Starts the API. With no NEO4J_URI it starts the project-managed Neo4j first (fetched from
 * Maven Central on first use). With --demo it loads the demo organisation into an empty graph
 * and opens GraphiQL with an admin token filled in.
 *
 *   tsx scripts/start.ts [--demo] [--reset]
 */
import { buildApp } from '../src/app.js';
import '../src/capabilities.js';
import { ConfigError, parseConfig } from '../src/config.js';
import { hasData, loadDemoData } from './demo-data.js';
import { startNeo4j, stopNeo4j } from './neo4j.js';

const demo = process.argv.includes('--demo');
const reset = process.argv.includes('--reset');
const DEMO_TOKEN = 'demo-admin-token-change-me';

try {
  const env = { ...process.env };
  if (demo && !env.ADMIN_TOKEN) env.ADMIN_TOKEN = DEMO_TOKEN;
  const managed = !env.NEO4J_URI;
  if (managed) {
    const server = await startNeo4j({ name: 'local', port: Number(env.NEO4J_LOCAL_PORT ?? 7687) });
    env.NEO4J_URI = server.uri;
  }
  const config = parseConfig(env);
  const app = await buildApp(config, demo ? { graphiqlHeaders: { Authorization: `Bearer ${config.adminToken}` } } : {});
  if (reset) {
    const session = app.services.db.driver.session();
    await session.run('MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
    await session.close();
  }
  if (demo && config.adminToken) {
    if (await hasData(app, config.adminToken)) {
      process.stderr.write('demo: the graph already holds data; keeping it (--reset starts over)\n');
    } else {
      const loaded = await loadDemoData(app, config.adminToken);
      process.stderr.write(`demo: loaded ${loaded.users} users, ${loaded.grants} grants, ${loaded.profiles} access profiles\n`);
    }
  }
  const port = await app.start(config.port);
  process.stderr.write(`\nGraphiQL: http://localhost:${port}/graphql\n`);
  if (demo) process.stderr.write(`Admin token (already in GraphiQL's headers): ${config.adminToken}\n`);
  const shutdown = async () => {
    await app.stop();
    // The managed server goes with the API unless asked to stay (KEEP_NEO4J=1).
    if (managed && env.KEEP_NEO4J !== '1') await stopNeo4j('local');
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
  process.exit(1);
}
