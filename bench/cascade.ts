/**
 * Enrollment cascade throughput: grant tasks completed per second when many users are enrolled
 * into an auto-approved profile with 10 items (zero-step enrollment policy, item policies bypassed,
 * AUTOMATIC app).
 *
 *   npx tsx bench/cascade.ts                       (10,000 users, 10 items)
 *   BENCH_USERS=1000 npx tsx bench/cascade.ts      (a quick run)
 *   BENCH_PROFILE_PLAN=tasks/create-tasks npx tsx bench/cascade.ts
 *                                                  (also prints the PROFILE plan of the statement's first large run)
 *
 * Uses NEO4J_URI when set, else the managed Neo4j instance `cascade` on port 7706 (started if
 * needed, left running). The graph is EMPTIED first: point it at a throwaway database only.
 * Enrollments go through services.tasks.create (the entry point the sync and enrollUsers use),
 * BENCH_CHUNK users per transaction; each transaction creates the enrollment tasks, approves
 * and provisions them, and runs the cascade (item grant tasks created, approved, provisioned).
 */
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { directoryReads } from '../src/directory/repository.js';
import { createLogger } from '../src/logger.js';
import type { TaskRequest } from '../src/workflow/records.js';
import { startNeo4j } from '../scripts/neo4j.js';
import { printPlanOnce } from './lib/plan.js';
import { recordResult } from './lib/result.js';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 10);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 500);

async function main(): Promise<void> {
  const uri = process.env.NEO4J_URI ?? (await startNeo4j({ name: 'cascade', port: 7706 })).uri;
  const app = await buildApp(parseConfig({ ...process.env, NEO4J_URI: uri, ADMIN_TOKEN: 'bench-admin-token-0123456789', LOG_LEVEL: 'error' }), {
    logger: createLogger('error'),
  });
  const { services } = app;
  if (process.env.BENCH_PROFILE_PLAN) printPlanOnce(process.env.BENCH_PROFILE_PLAN, 1000);
  try {
    await services.db.emptyGraph();

    const setupStart = Date.now();
    for (let i = 0; i < USERS; i += 5000) {
      await services.ingest.upsertUsers(
        Array.from({ length: Math.min(5000, USERS - i) }, (_, k) => ({ externalId: `u${i + k}`, email: `u${i + k}@example.com`, displayName: `User ${i + k}` })),
      );
    }
    await services.ingest.upsertApps([{ externalId: 'app', name: 'App', provisioning: 'AUTOMATIC' }]);
    const auto = await services.profiles.createPolicy('Auto-approve', []);
    const items = Array.from({ length: ITEMS }, (_, i) => `item-${i}`);
    await services.ingest.upsertEntitlements(items.map((externalId) => ({ externalId, appExternalId: 'app', name: externalId })));
    const profileId = await services.profiles.createProfile({ name: 'Bench', enrollmentPolicyId: auto.id, bypassItemRequestPolicies: true });
    const entitlements = await services.db.read('bench.cascade', (tx) => directoryReads.entitlementsByExternalId(tx, items));
    await services.profiles.addItems(profileId, entitlements.map((e) => e.id), false);
    const [profile] = await services.db.read('bench.cascade', (tx) => directoryReads.profilesById(tx, [profileId]));
    const userIds: string[] = [];
    for (let i = 0; i < USERS; i += 5000) {
      const ids = Array.from({ length: Math.min(5000, USERS - i) }, (_, k) => `u${i + k}`);
      userIds.push(...(await services.db.read('bench.cascade', (tx) => directoryReads.usersByExternalId(tx, ids))).map((u) => u.id));
    }
    process.stdout.write(`setup: ${USERS} users, ${ITEMS} items in ${((Date.now() - setupStart) / 1000).toFixed(1)} s\n`);

    const start = Date.now();
    let completed = 0;
    for (let i = 0; i < userIds.length; i += CHUNK) {
      const requests: TaskRequest[] = userIds.slice(i, i + CHUNK).map((userId) => ({
        kind: 'GRANT',
        origin: 'MANUAL_ENROLLMENT',
        userId,
        entitlementId: profile!.enrollmentEntitlementId,
        profileId,
        enrollVia: 'MANUAL',
      }));
      completed += (await services.tasks.create(requests)).completed;
    }
    const seconds = (Date.now() - start) / 1000;

    const check = services.db.driver.session();
    const counts = await check.run(
      `MATCH (p:AccessProfile {id: $p})-[:INCLUDES]->(e:Entitlement)<-[:OF]-(g:Grant)-[:FROM_PROFILE]->(p) RETURN count(g) AS itemGrants`,
      { p: profileId },
    );
    await check.close();
    const itemGrants = counts.records[0]!.get('itemGrants') as number;
    const itemTasks = completed - USERS;
    process.stdout.write(
      [
        `enrolled ${USERS} users into a ${ITEMS}-item auto-approved profile in ${seconds.toFixed(1)} s (${CHUNK} users per transaction)`,
        `grant tasks completed: ${completed} (${USERS} enrollments + ${itemTasks} items); item grants with the profile as source: ${itemGrants}`,
        `cascade throughput: ${(completed / seconds).toFixed(0)} grant tasks completed per second (${(itemTasks / seconds).toFixed(0)} item tasks/s)`,
        'slowest statements:',
        ...services.db.slowestStatements().map((line) => `  ${line}`),
        '',
      ].join('\n'),
    );
    recordResult('cascade', [{ name: 'auto-approved cascade, item tasks', value: itemTasks / seconds, unit: 'tasks/s', target: { value: 5_000, higherIsBetter: true } }], {
      users: USERS,
      items: ITEMS,
      chunk: CHUNK,
    });
  } finally {
    await app.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`bench/cascade failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
