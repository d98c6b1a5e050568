/**
 * Sync test helpers: a profile with an automation through the API, and memberships seeded in the
 * documented model (an enrollment grant with enrolledVia) with batched Cypher through the driver.
 */
import { randomUUID } from 'node:crypto';
import type { TestApp } from './app.js';
import { rawIdOf } from '../../src/ids.js';

import { quiescent, runCypher as cypher } from './app.js';
export { cypher };

export async function createProfile(t: TestApp, name: string, extra: Record<string, unknown> = {}): Promise<{ id: string; raw: string; enrollmentEntitlementId: string; exclusionEntitlementId: string }> {
  const data = await t.admin(
    `mutation($i: AccessProfileInput!) { createAccessProfile(input: $i) { id enrollmentEntitlement { id } exclusionEntitlement { id } } }`,
    { i: { name, ...extra } },
  );
  const p = data.createAccessProfile;
  return { id: p.id, raw: rawIdOf('AccessProfile', p.id), enrollmentEntitlementId: p.enrollmentEntitlement.id, exclusionEntitlementId: p.exclusionEntitlement.id };
}

export const SET_AUTOMATION = `mutation($p: ID!, $i: MembershipAutomationInput!) {
  setMembershipAutomation(profileId: $p, input: $i) { id automation { enabled } } }`;

export async function setAutomation(t: TestApp, profileId: string, input: { enabled: boolean; conditionEntitlementIds: string[]; excludedUserIds?: string[]; mode?: string; pauseOnAnomalies?: boolean }) {
  return t.admin(SET_AUTOMATION, { p: profileId, i: { mode: 'SYNC_MEMBERS_AND_ACCESS', ...input } });
}

/**
 * Grants ingested from the source system (the API, as a partner would), then a wait until the
 * syncs they trigger (a condition grant) have run: the test goes on from a quiet app, so a sync it
 * starts next never meets one of these.
 */
export async function grant(t: TestApp, pairs: [userExternalId: string, entitlementExternalId: string][], replaceForEntitlements?: string[]) {
  await ingestGrants(t, pairs, replaceForEntitlements);
  await quiescent(t);
}

/** Grants ingested, without waiting for what they trigger (tests of concurrent syncs). */
export async function ingestGrants(t: TestApp, pairs: [userExternalId: string, entitlementExternalId: string][], replaceForEntitlements?: string[]) {
  await t.admin(`mutation($g: [GrantInput!]!, $r: [String!]) { upsertGrants(grants: $g, replaceForEntitlements: $r) { created } }`, {
    g: pairs.map(([u, e]) => ({ userExternalId: u, entitlementExternalId: e })),
    r: replaceForEntitlements ?? null,
  });
}

/** Members seeded directly: enrollment grants of the profile for users (by external id). */
export async function seedMembers(t: TestApp, profileRawId: string, userExternalIds: string[], enrolledVia: 'RULE' | 'MANUAL' | 'SELF_SERVICE' = 'RULE') {
  for (let i = 0; i < userExternalIds.length; i += 2000) {
    await cypher(
      t,
      `MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
       UNWIND $rows AS row
       MATCH (u:User {externalId: row.externalId})
       MERGE (g:Grant {key: u.id + '|' + en.id})
         ON CREATE SET g.id = row.id, g.grantedAt = $now, g.direct = false, g.enrolledVia = $via
       MERGE (u)-[:HOLDS]->(g)
       MERGE (g)-[:OF]->(en)`,
      { profileId: profileRawId, rows: userExternalIds.slice(i, i + 2000).map((externalId) => ({ externalId, id: randomUUID() })), now: new Date().toISOString(), via: enrolledVia },
    );
  }
}

/** Open tasks on an entitlement, by kind and origin, as user external ids. */
export async function openTasks(t: TestApp, entitlementRawId: string, kind: 'GRANT' | 'REVOKE', origin?: string): Promise<string[]> {
  const rows = await cypher<{ x: string }>(
    t,
    `MATCH (:Entitlement {id: $e})<-[:ON_ENTITLEMENT]-(t:Task {kind: $kind})-[:FOR_USER]->(u:User)
     WHERE t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING'] AND ($origin IS NULL OR t.origin = $origin)
     RETURN u.externalId AS x ORDER BY x`,
    { e: entitlementRawId, kind, origin: origin ?? null },
  );
  return rows.map((r) => r.x);
}

export async function countNodes(t: TestApp, label: string): Promise<number> {
  const [row] = await cypher<{ n: number }>(t, `MATCH (n) WHERE $label IN labels(n) RETURN count(n) AS n`, { label });
  return Number(row!.n);
}

/** Polls until the check passes (no timing assert: it just waits for the outcome). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const users = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `u${from + i}`);

/**
 * Sync now, then the run as it ended. `syncNow` answers at once with the run RUNNING (it goes on
 * in the background); this waits until the app is quiet and reads the run back with the
 * mutation's own selection (which must include `id`).
 */
export async function syncNowDone(t: TestApp, mutation: string, profileId: string): Promise<{ syncNow: any }> {
  const open = mutation.indexOf('{', mutation.indexOf('syncNow('));
  const selection = mutation.slice(open + 1, mutation.lastIndexOf('}', mutation.lastIndexOf('}') - 1));
  const started = await t.admin<{ syncNow: { id: string } }>(mutation, { p: profileId });
  await quiescent(t);
  const data = await t.admin(`query($id: ID!) { node(id: $id) { ... on SyncRun { ${selection} } } }`, { id: started.syncNow.id });
  return { syncNow: data.node };
}
