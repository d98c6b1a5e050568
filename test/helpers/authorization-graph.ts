/**
 * The authorization walk's fixture, built through the API as a partner and an admin would:
 * users for every viewer, two apps (one MANUAL, with owners), entitlements with policies, grants,
 * a profile with an item, members and an automation, tasks, a sync run; and one token per viewer.
 * Also the per-check graph a mutation needs (a fresh task to decide, provision or cancel).
 */
import { expect } from 'vitest';
import { ADMIN_TOKEN, quiescent, type GraphQLResponse, type TestApp } from './app.js';
import { idOf, tokenFor } from './fixtures.js';
import type { ViewerKey } from './authorization-rules.js';

export const ALL_SCOPES = ['read', 'request', 'review', 'provision', 'ingest', 'admin'];

/** The user each viewer's token acts as (null: no user). */
export const USER_OF: Record<ViewerKey, string | null> = {
  anonymous: null,
  adminToken: null,
  adminAll: 'adm',
  adminRead: 'adm',
  auditorRead: 'aud',
  auditorAll: 'aud',
  userFull: 'alice',
  userNoRead: 'bob',
  userRequestOnly: 'rita',
  ingestOnly: 'svc',
};

const USERS = ['adm', 'aud', 'alice', 'bob', 'rita', 'svc', 'carol', 'dave', 'zed'] as const;

export interface Fixture {
  token: Record<ViewerKey, string | null>;
  /** Global ids of users by external id. */
  user: Record<string, string>;
  ent: Record<string, string>;
  app: { crm: string; wiki: string };
  policy: Record<string, string>;
  /** A `request`-only token per user (to make them the requester of a task). */
  requestToken: Record<string, string>;
  sales: string;
  scratch: string;
  syncRunId: string;
  /** Each user's grant of wiki-read. */
  grantOf: Record<string, string>;
  /** carol's task awaiting dave (nobody else is involved). */
  carolPrivateTask: string;
  /** carol's task awaiting the panel (every viewer's user is an approver). */
  carolPanelTask: string;
  safeguard: { minMembers: number; maxUnenrollRatio: number };
  counter: number;
}

async function admin<T = any>(t: TestApp, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return t.admin<T>(query, variables);
}

/** Runs as `token` and fails on any error. */
export async function asOk<T = any>(t: TestApp, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body: GraphQLResponse<T> = await t.request<T>(query, variables, token);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data as T;
}

export async function buildAuthorizationGraph(t: TestApp): Promise<Fixture> {
  await admin(t, `mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, {
    u: USERS.map((u) => ({ externalId: u, email: `${u}@example.com`, displayName: u, managerExternalId: u === 'carol' ? 'dave' : null })),
  });
  const user: Record<string, string> = {};
  for (const u of USERS) user[u] = await idOf(t, 'user', u);

  const policy: Record<string, string> = {};
  const createPolicy = async (name: string, steps: unknown[]) =>
    (await admin(t, `mutation($n: String!, $s: [PolicyStepInput!]!) { createPolicy(name: $n, steps: $s) { id } }`, { n: name, s: steps })).createPolicy.id as string;
  policy.none = await createPolicy('No approval', []);
  policy.panel = await createPolicy('Panel', [{ approverType: 'USERS', userIds: ['adm', 'aud', 'alice', 'bob', 'rita', 'svc'].map((u) => user[u]) }]);
  policy.private = await createPolicy('Dave only', [{ approverType: 'USERS', userIds: [user.dave] }]);

  await admin(t, `mutation($a: [AppInput!]!) { upsertApps(apps: $a) { created } }`, {
    a: [
      { externalId: 'crm', name: 'CRM', provisioning: 'MANUAL', ownerExternalIds: ['alice', 'bob', 'aud', 'svc', 'rita'] },
      { externalId: 'wiki', name: 'Wiki', provisioning: 'AUTOMATIC', ownerExternalIds: ['adm'] },
    ],
  });
  const app = { crm: await idOf(t, 'app', 'crm'), wiki: await idOf(t, 'app', 'wiki') };
  const entitlements = [
    { externalId: 'wiki-read', appExternalId: 'wiki', name: 'Wiki read', requestPolicyId: policy.none },
    { externalId: 'wiki-edit', appExternalId: 'wiki', name: 'Wiki edit', requestPolicyId: policy.none },
    { externalId: 'crm-admin', appExternalId: 'crm', name: 'CRM admin', requestPolicyId: policy.private },
    { externalId: 'crm-secret', appExternalId: 'crm', name: 'CRM secret', requestPolicyId: policy.private },
    { externalId: 'crm-panel', appExternalId: 'crm', name: 'CRM panel', requestPolicyId: policy.panel },
    { externalId: 'crm-request', appExternalId: 'crm', name: 'CRM request', requestPolicyId: policy.private },
  ];
  await admin(t, `mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }`, { e: entitlements });
  const ent: Record<string, string> = {};
  for (const e of entitlements) ent[e.externalId] = await idOf(t, 'entitlement', e.externalId);

  await admin(t, `mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, {
    g: [...USERS.map((u) => ({ userExternalId: u, entitlementExternalId: 'wiki-read' })), { userExternalId: 'carol', entitlementExternalId: 'crm-admin' }],
  });

  await admin(t, `mutation($u: ID!) { setUserRole(userId: $u, role: ADMIN) { id } }`, { u: user.adm });
  const token: Record<ViewerKey, string | null> = {
    anonymous: null,
    adminToken: ADMIN_TOKEN,
    adminAll: await tokenFor(t, user.adm!, ALL_SCOPES),
    adminRead: await tokenFor(t, user.adm!, ['read']),
    auditorRead: await tokenFor(t, user.aud!, ['read']),
    auditorAll: await tokenFor(t, user.aud!, ALL_SCOPES),
    userFull: await tokenFor(t, user.alice!, ['read', 'request', 'review', 'provision']),
    userNoRead: await tokenFor(t, user.bob!, ['request', 'review', 'provision']),
    userRequestOnly: await tokenFor(t, user.rita!, ['request']),
    ingestOnly: await tokenFor(t, user.svc!, ['ingest']),
  };
  const requestToken: Record<string, string> = {};
  for (const u of USERS) requestToken[u] = await tokenFor(t, user[u]!, ['request']);
  // Tokens minted while aud was a USER keep working once the role changes: the role is read per request.
  await admin(t, `mutation($u: ID!) { setUserRole(userId: $u, role: AUDITOR) { id } }`, { u: user.aud });

  // A profile with an item, a member (carol), an automation with an excluded user, and sync runs.
  const sales = (
    await admin(t, `mutation($i: AccessProfileInput!) { createAccessProfile(input: $i) { id } }`, {
      i: { name: 'Sales', allowEnrollmentRequests: true, enrollmentPolicyId: policy.none },
    })
  ).createAccessProfile.id as string;
  await admin(t, `mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: sales, e: [ent['wiki-edit']] });
  await admin(t, `mutation($p: ID!, $u: [ID!]!) { enrollUsers(profileId: $p, userIds: $u) { id } }`, { p: sales, u: [user.carol] });
  await admin(t, `mutation($p: ID!, $i: MembershipAutomationInput!) { setMembershipAutomation(profileId: $p, input: $i) { id } }`, {
    p: sales,
    i: { enabled: true, mode: 'SYNC_MEMBERS_ONLY', conditionEntitlementIds: [ent['crm-admin']], excludedUserIds: [user.zed], pauseOnAnomalies: true },
  });
  const syncRunId = await waitForSyncRun(t, sales);
  const scratch = (await admin(t, `mutation { createAccessProfile(input: { name: "Scratch" }) { id } }`)).createAccessProfile.id as string;

  const grantOf: Record<string, string> = {};
  for (const u of USERS) {
    const data = await admin(t, `query($u: ID!) { node(id: $u) { ... on User { grants(first: 50) { edges { node { id entitlement { externalId } } } } } } }`, { u: user[u] });
    grantOf[u] = data.node.grants.edges.find((e: any) => e.node.entitlement.externalId === 'wiki-read').node.id;
  }

  const carolPrivateTask = (await asOk(t, requestToken.carol!, `mutation($e: ID!) { requestAccess(entitlementId: $e) { id } }`, { e: ent['crm-secret'] })).requestAccess.id;
  const carolPanelTask = (await asOk(t, requestToken.carol!, `mutation($e: ID!) { requestAccess(entitlementId: $e) { id state } }`, { e: ent['crm-panel'] })).requestAccess.id;
  const safeguard = (await admin(t, `{ safeguardSettings { minMembers maxUnenrollRatio } }`)).safeguardSettings;

  return { token, user, ent, app, policy, requestToken, sales, scratch, syncRunId, grantOf, carolPrivateTask, carolPanelTask, safeguard, counter: 0 };
}

/** The automation saved above starts a sync: once the app is quiet, its run has finished. */
async function waitForSyncRun(t: TestApp, profileId: string): Promise<string> {
  await quiescent(t);
  const data = await admin(t, `query($p: ID!) { node(id: $p) { ... on AccessProfile { syncRuns(first: 1) { edges { node { id state } } } } } }`, { p: profileId });
  const run = data.node.syncRuns.edges[0]?.node;
  if (!run) throw new Error('no sync run recorded');
  return run.id;
}

/** A fresh entitlement (of the MANUAL app crm) with the given policy; returns its id. */
export async function freshEntitlement(t: TestApp, f: Fixture, policy: 'none' | 'panel' | 'private'): Promise<string> {
  f.counter += 1;
  const externalId = `fresh-${policy}-${f.counter}`;
  await admin(t, `mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }`, {
    e: [{ externalId, appExternalId: 'crm', name: externalId, requestPolicyId: f.policy[policy] }],
  });
  return idOf(t, 'entitlement', externalId);
}

/** A task about carol's access, requested by carol, in the state the policy leads to. */
export async function freshCarolTask(t: TestApp, f: Fixture, policy: 'none' | 'panel'): Promise<string> {
  const e = await freshEntitlement(t, f, policy);
  const data = await asOk(t, f.requestToken.carol!, `mutation($e: ID!) { requestAccess(entitlementId: $e) { id state } }`, { e });
  expect(data.requestAccess.state).toBe(policy === 'none' ? 'PENDING_PROVISIONING' : 'PENDING_APPROVAL');
  return data.requestAccess.id;
}

/**
 * A pending task requested by the viewer's own user (carol's for ADMIN_TOKEN, which is no user).
 * An auditor cannot request: the role is lifted to USER for the request and set back.
 */
export async function freshTaskRequestedBy(t: TestApp, f: Fixture, userKey: string | null): Promise<string> {
  const requester = userKey ?? 'carol';
  const e = await freshEntitlement(t, f, 'private');
  const isAuditor = requester === 'aud';
  if (isAuditor) await admin(t, `mutation($u: ID!) { setUserRole(userId: $u, role: USER) { id } }`, { u: f.user.aud });
  try {
    const data = await asOk(t, f.requestToken[requester]!, `mutation($e: ID!) { requestAccess(entitlementId: $e) { id state } }`, { e });
    return data.requestAccess.id;
  } finally {
    if (isAuditor) await admin(t, `mutation($u: ID!) { setUserRole(userId: $u, role: AUDITOR) { id } }`, { u: f.user.aud });
  }
}
