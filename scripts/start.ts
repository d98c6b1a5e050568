/**
 * Starts the API. With no NEO4J_URI it starts the project-managed Neo4j first (fetched from
 * Maven Central on first use) and stops it with the API. With --demo it loads the demo
 * organisation into an empty graph and opens GraphiQL with an admin token filled in.
 *
 *   tsx scripts/start.ts [--demo] [--reset]
 */
import { parseConfig } from '../src/config.js';
import { runMain, serve } from '../src/main.js';
import { hasData, loadDemoData, personaTokens } from './demo-data.js';
import { startNeo4j, stopNeo4j } from './neo4j.js';

const demo = process.argv.includes('--demo');
const reset = process.argv.includes('--reset');
const DEMO_TOKEN = 'demo-admin-token-change-me';
let personas: Awaited<ReturnType<typeof personaTokens>> = [];

await runMain(async () => {
  const env = { ...process.env };
  if (demo && !env.ADMIN_TOKEN) env.ADMIN_TOKEN = DEMO_TOKEN;
  const managed = !env.NEO4J_URI;
  if (managed) env.NEO4J_URI = (await startNeo4j({ name: 'local', port: Number(env.NEO4J_LOCAL_PORT ?? 7687) })).uri;
  const config = parseConfig(env);
  const token = config.adminToken;
  await serve(config, {
    ...(demo && token ? { graphiqlHeaders: { Authorization: `Bearer ${token}` } } : {}),
    // Demo only: the console's sign-in offers one button per persona (GET /console/demo-personas.json).
    ...(demo ? { console: { demoPersonas: () => personas } } : {}),
    prepare: async (app) => {
      if (reset) await app.services.db.emptyGraph();
      if (!demo || !token) return;
      if (await hasData(app, token)) {
        process.stderr.write('demo: the graph already holds data; keeping it (--reset starts over)\n');
      } else {
        const loaded = await loadDemoData(app, token);
        process.stderr.write(`demo: loaded ${loaded.users} users, ${loaded.grants} grants, ${loaded.profiles} access profiles\n`);
      }
      personas = await personaTokens(app, token);
    },
    // The managed server goes with the API unless asked to stay (KEEP_NEO4J=1).
    afterStop: async () => {
      if (managed && env.KEEP_NEO4J !== '1') await stopNeo4j('local');
    },
  });
  process.stderr.write(`\nConsole:  http://localhost:${config.port}/console\nGraphiQL: http://localhost:${config.port}/graphql\n`);
  if (demo) {
    process.stderr.write(`Admin token (already in GraphiQL's headers): ${token}\n`);
    process.stderr.write('Act as a person of the demo with their token (GraphiQL: Headers, {"Authorization": "Bearer <token>"}):\n');
    for (const p of personas) process.stderr.write(`  ${p.key.padEnd(12)} ${p.name}: ${p.what}\n               ${p.token}\n`);
  }
});
