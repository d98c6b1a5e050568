/**
 * The generated organisation the benchmarks share (bench/analysis.ts, bench/reads.ts): users, one
 * app, standard entitlements, profiles with items and conditions, direct grants and the
 * memberships and item grants a completed sync would leave, following docs/graph-model.md.
 * Batched Cypher (UNWIND, 5,000 rows a batch) and a deterministic generator, so runs compare.
 */
import { randomUUID } from 'node:crypto';
import neo4j from 'neo4j-driver';
import type { Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';

export interface OrgSizes {
  users: number;
  grants: number;
  profiles: number;
  entitlements: number;
}

const BATCH = 5_000;

/** Items are drawn from the first quarter of the entitlements (so profiles overlap), conditions from the rest. */
export const itemPool = (sizes: OrgSizes): number => Math.floor(sizes.entitlements / 4);

export async function generateOrg(
  db: Database,
  { users: USERS, grants: GRANTS, profiles: PROFILES, entitlements: ENTITLEMENTS }: OrgSizes,
  log: (message: string) => void = () => {},
): Promise<{ userIds: string[]; entitlementIds: string[]; profileIds: string[] }> {
  const ITEM_POOL = itemPool({ users: USERS, grants: GRANTS, profiles: PROFILES, entitlements: ENTITLEMENTS });
  async function write(query: string, params: Record<string, unknown> = {}): Promise<void> {
    const session = db.driver.session();
    try {
      await session.executeWrite((tx) => tx.run(query, params));
    } finally {
      await session.close();
    }
  }

  async function batched<T>(rows: T[], query: string): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) await write(query, { rows: rows.slice(i, i + BATCH) });
  }

  // A deterministic generator, so runs compare.
  let seed = 42;
  /** mulberry32: 32-bit integer arithmetic only, so the sequence does not collapse. */
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (n: number) => Math.floor(random() * n);
  await db.emptyGraph();
  await migrate(db);
  log('generating');
  const now = new Date().toISOString();
  const userIds = Array.from({ length: USERS }, () => randomUUID());
  const entitlementIds = Array.from({ length: ENTITLEMENTS }, () => randomUUID());
  const profileIds = Array.from({ length: PROFILES }, () => randomUUID());
  await batched(
    userIds.map((id, i) => ({ id, i })),
    `UNWIND $rows AS r CREATE (:User {id: r.id, externalId: 'u' + r.i, email: 'u' + r.i + '@example.com', displayName: 'User ' + r.i, status: 'ACTIVE', role: 'USER', createdAt: '${now}'})`,
  );
  await write(`CREATE (:App {id: $id, externalId: 'app', name: 'App', provisioning: 'AUTOMATIC'})`, { id: randomUUID() });
  await batched(
    entitlementIds.map((id, i) => ({ id, i })),
    `UNWIND $rows AS r MATCH (a:App {externalId: 'app'}) CREATE (:Entitlement {id: r.id, externalId: 'e' + r.i, name: 'e' + r.i, kind: 'STANDARD'})-[:OF_APP]->(a)`,
  );
  // Profiles: 5 items and 1 to 2 condition entitlements each, drawn from the first 500 entitlements
  // (so profiles overlap); RULE members are the condition holders.
  const profiles = profileIds.map((id, i) => ({
    id,
    name: `P${i}`,
    en: randomUUID(),
    ex: randomUUID(),
    items: Array.from({ length: 5 }, () => entitlementIds[pick(ITEM_POOL)]!),
    condition: Array.from({ length: 1 + pick(2) }, () => entitlementIds[ITEM_POOL + pick(ENTITLEMENTS - ITEM_POOL)]!),
  }));
  await batched(
    profiles,
    `UNWIND $rows AS r
     CREATE (p:AccessProfile {id: r.id, name: r.name, allowEnrollmentRequests: false, bypassItemRequestPolicies: false, bypassItemRevokePolicies: false,
             unenrollmentAction: 'REVOKE_UNJUSTIFIED', automationEnabled: true, automationMode: 'SYNC_MEMBERS_AND_ACCESS', pauseOnAnomalies: true})
     CREATE (p)-[:ENROLLMENT_ENTITLEMENT]->(:Entitlement {id: r.en, name: r.name + ' (member)', kind: 'PROFILE_ENROLLMENT'})
     CREATE (p)-[:EXCLUSION_ENTITLEMENT]->(:Entitlement {id: r.ex, name: r.name + ' (excluded)', kind: 'PROFILE_EXCLUSION'})
     WITH p, r
     CALL { WITH p, r UNWIND r.items AS item MATCH (e:Entitlement {id: item}) MERGE (p)-[:INCLUDES]->(e) }
     CALL { WITH p, r UNWIND r.condition AS c MATCH (e:Entitlement {id: c}) MERGE (p)-[:CONDITION]->(e) }`,
  );
  log('direct grants');
  // Direct grants: random (user, entitlement) pairs, with the condition entitlements' holders
  // making up most of the total.
  const pairs = new Set<string>();
  while (pairs.size < GRANTS * 0.8) pairs.add(`${pick(USERS)}|${pick(ENTITLEMENTS)}`);
  await batched(
    [...pairs].map((p) => {
      const [u, e] = p.split('|').map(Number);
      return { id: randomUUID(), u: userIds[u!]!, e: entitlementIds[e!]! };
    }),
    `UNWIND $rows AS r MATCH (u:User {id: r.u}) MATCH (e:Entitlement {id: r.e})
     CREATE (u)-[:HOLDS]->(:Grant {id: r.id, key: r.u + '|' + r.e, grantedAt: '${now}', direct: true})-[:OF]->(e)`,
  );
  log('memberships');
  // Memberships: each profile enrolls (RULE) the holders of its condition, up to the grant budget;
  // 90% of them (the rest drifted or pending) get the items with the profile as source.
  let remaining = GRANTS - pairs.size;
  for (const p of profiles) {
    if (remaining <= 0) break;
    await write(
      `MATCH (p:AccessProfile {id: $id})-[:ENROLLMENT_ENTITLEMENT]->(en)
       MATCH (p)-[:CONDITION]->(:Entitlement)<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
       WITH DISTINCT p, en, u LIMIT $cap
       CREATE (t:Task {id: randomUUID(), kind: 'GRANT', state: 'DONE', origin: 'SYNC', enrollVia: 'RULE', createdAt: $now, updatedAt: $now})
       CREATE (t)-[:FOR_USER]->(u), (t)-[:ON_ENTITLEMENT]->(en), (t)-[:VIA_PROFILE]->(p)
       CREATE (u)-[:HOLDS]->(g:Grant {id: randomUUID(), key: u.id + '|' + en.id, grantedAt: $now, direct: false, enrolledVia: 'RULE'})-[:OF]->(en)
       CREATE (g)-[:GRANTED_BY]->(t)
       WITH p, u WHERE rand() < 0.9
       MATCH (p)-[:INCLUDES]->(i:Entitlement)
       MERGE (ig:Grant {key: u.id + '|' + i.id})
         ON CREATE SET ig.id = randomUUID(), ig.grantedAt = $now, ig.direct = false
       MERGE (u)-[:HOLDS]->(ig)
       MERGE (ig)-[:OF]->(i)
       MERGE (ig)-[:FROM_PROFILE]->(p)`,
      { id: p.id, now, cap: neo4j.int(Math.max(1, Math.floor(remaining / 6))) },
    );
    const counted = await db.driver.executeQuery('MATCH (g:Grant) RETURN count(g) AS n');
    remaining = GRANTS - (counted.records[0]!.get('n') as number);
  }
  return { userIds, entitlementIds, profileIds };
}
