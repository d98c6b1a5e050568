/**
 * Seeds what the workflow would have written (memberships, profile-sourced grants, their tasks)
 * with batched Cypher that follows docs/graph-model.md, and fingerprints the whole graph so a
 * test can prove that a query wrote nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { TestApp } from './app.js';
import { decodeGlobalId } from '../../src/ids.js';

const raw = (globalId: string): string => decodeGlobalId(globalId).id;

async function run(t: TestApp, query: string, params: Record<string, unknown>): Promise<void> {
  const session = t.app.services.db.driver.session();
  try {
    await session.executeWrite((tx) => tx.run(query, params));
  } finally {
    await session.close();
  }
}

/** Memberships: a grant of the profile's enrollment entitlement with enrolledVia, granted by a DONE task. */
export async function seedMemberships(t: TestApp, rows: { profileId: string; userId: string; via: 'RULE' | 'MANUAL' | 'SELF_SERVICE' }[]): Promise<void> {
  const now = new Date().toISOString();
  await run(
    t,
    `UNWIND $rows AS row
     MATCH (p:AccessProfile {id: row.profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
     MATCH (u:User {id: row.userId})
     CREATE (task:Task {id: row.taskId, kind: 'GRANT', state: 'DONE', enrollVia: row.via, currentStep: 0, reason: null,
                        origin: CASE row.via WHEN 'RULE' THEN 'SYNC' WHEN 'MANUAL' THEN 'MANUAL_ENROLLMENT' ELSE 'SELF_SERVICE' END,
                        createdAt: $now, updatedAt: $now})
     CREATE (task)-[:FOR_USER]->(u), (task)-[:ON_ENTITLEMENT]->(en), (task)-[:VIA_PROFILE]->(p)
     CREATE (u)-[:HOLDS]->(g:Grant {id: row.grantId, key: u.id + '|' + en.id, grantedAt: $now, direct: false, enrolledVia: row.via})-[:OF]->(en)
     CREATE (g)-[:GRANTED_BY]->(task)`,
    { now, rows: rows.map((r) => ({ profileId: raw(r.profileId), userId: raw(r.userId), via: r.via, taskId: randomUUID(), grantId: randomUUID() })) },
  );
}

/**
 * Grants with sources: creates the grant if missing (direct: false), else adds sources to it; each
 * profile source is a FROM_PROFILE relationship. A created grant is GRANTED_BY a DONE task.
 */
export async function seedSourcedGrants(t: TestApp, rows: { userId: string; entitlementId: string; profileIds: string[] }[]): Promise<void> {
  const now = new Date().toISOString();
  await run(
    t,
    `UNWIND $rows AS row
     MATCH (u:User {id: row.userId})
     MATCH (e:Entitlement {id: row.entitlementId})
     MERGE (g:Grant {key: u.id + '|' + e.id})
       ON CREATE SET g.id = row.grantId, g.grantedAt = $now, g.direct = false, g.isNew = true
     MERGE (u)-[:HOLDS]->(g)
     MERGE (g)-[:OF]->(e)
     WITH row, u, e, g, coalesce(g.isNew, false) AS created
     REMOVE g.isNew
     FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
       CREATE (task:Task {id: row.taskId, kind: 'GRANT', state: 'DONE', origin: 'PROFILE_ENROLLMENT', currentStep: 0, createdAt: $now, updatedAt: $now})
       CREATE (task)-[:FOR_USER]->(u), (task)-[:ON_ENTITLEMENT]->(e), (g)-[:GRANTED_BY]->(task))
     WITH row, g
     UNWIND row.profileIds AS profileId
     MATCH (p:AccessProfile {id: profileId})
     MERGE (g)-[:FROM_PROFILE]->(p)`,
    {
      now,
      rows: rows.map((r) => ({ userId: raw(r.userId), entitlementId: raw(r.entitlementId), profileIds: r.profileIds.map(raw), grantId: randomUUID(), taskId: randomUUID() })),
    },
  );
}

/** Open tasks (PENDING_APPROVAL, with their openKey and openOn) on an entitlement, as the workflow creates them. */
export async function seedOpenTasks(t: TestApp, rows: { kind: 'GRANT' | 'REVOKE'; userId: string; entitlementId: string; origin: string; profileId?: string }[]): Promise<void> {
  const now = new Date().toISOString();
  await run(
    t,
    `UNWIND $rows AS row
     MATCH (u:User {id: row.userId})
     MATCH (e:Entitlement {id: row.entitlementId})
     CREATE (task:Task {id: row.taskId, kind: row.kind, state: 'PENDING_APPROVAL', origin: row.origin, currentStep: 0,
                        openKey: row.kind + '|' + u.id + '|' + e.id, openOn: e.id, createdAt: $now, updatedAt: $now})
     CREATE (task)-[:FOR_USER]->(u), (task)-[:ON_ENTITLEMENT]->(e)
     WITH row, task
     OPTIONAL MATCH (p:AccessProfile {id: row.profileId})
     FOREACH (x IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (task)-[:VIA_PROFILE]->(x))`,
    { now, rows: rows.map((r) => ({ ...r, userId: raw(r.userId), entitlementId: raw(r.entitlementId), profileId: r.profileId ? raw(r.profileId) : null, taskId: randomUUID() })) },
  );
}

/** Node and relationship counts and a hash of every node's and relationship's properties. */
export async function graphFingerprint(t: TestApp): Promise<{ nodes: number; relationships: number; checksum: string }> {
  const session = t.app.services.db.driver.session();
  try {
    const nodes = await session.run('MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props ORDER BY id');
    const rels = await session.run(
      'MATCH (a)-[r]->(b) RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS from, elementId(b) AS to, properties(r) AS props ORDER BY id',
    );
    const hash = createHash('sha256');
    const stable = (value: unknown): string =>
      JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
    for (const r of nodes.records) hash.update(stable(r.toObject()));
    for (const r of rels.records) hash.update(stable(r.toObject()));
    return { nodes: nodes.records.length, relationships: rels.records.length, checksum: hash.digest('hex') };
  } finally {
    await session.close();
  }
}
