/**
 * One real operation per entry of the authorization table, with valid arguments from the
 * fixture. A builder may change the graph first (a fresh task to decide, provision or cancel),
 * so that an allowed viewer gets past authorization on a task it is entitled to act on.
 */
import type { TestApp } from './app.js';
import { freshCarolTask, freshTaskRequestedBy, USER_OF, type Fixture } from './authorization-graph.js';
import type { ViewerKey } from './authorization-rules.js';

export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}
export interface OpContext {
  t: TestApp;
  f: Fixture;
  viewer: ViewerKey;
}
type Build = (c: OpContext) => Operation | Promise<Operation>;

const GHOST_RUN = Buffer.from('SyncRun:00000000-0000-0000-0000-000000000000').toString('base64');
const on = (type: string, id: string, selection: string): Operation => ({
  query: `query($id: ID!) { node(id: $id) { id ... on ${type} { ${selection} } } }`,
  variables: { id },
});
const next = (f: Fixture) => {
  f.counter += 1;
  return f.counter;
};

export const OPERATIONS: Record<string, Build> = {
  // ---- Query
  'Query.node': ({ f }) => ({ query: `query($id: ID!) { node(id: $id) { id ... on App { name } } }`, variables: { id: f.app.crm } }),
  'Query.nodes': ({ f }) => ({ query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, variables: { ids: [f.app.crm, f.ent['crm-admin'], f.sales, f.policy.panel, f.user.carol] } }),
  'Query.viewer': () => ({ query: `{ viewer { id displayName } }` }),
  'Query.users': () => ({ query: `{ users(first: 5) { totalCount edges { node { id displayName } } } }` }),
  'Query.apps': () => ({ query: `{ apps(first: 5) { totalCount edges { node { id name } } } }` }),
  'Query.entitlements': () => ({ query: `{ entitlements(first: 5) { totalCount edges { node { id name } } } }` }),
  'Query.accessProfiles': () => ({ query: `{ accessProfiles(first: 5) { totalCount edges { node { id name } } } }` }),
  'Query.policies': () => ({ query: `{ policies { id name } }` }),
  'Query.safeguardSettings': () => ({ query: `{ safeguardSettings { minMembers maxUnenrollRatio } }` }),
  'Query.userByExternalId': () => ({ query: `{ userByExternalId(externalId: "carol") { id } }` }),
  'Query.appByExternalId': () => ({ query: `{ appByExternalId(externalId: "crm") { id } }` }),
  'Query.entitlementByExternalId': () => ({ query: `{ entitlementByExternalId(externalId: "crm-admin") { id } }` }),
  'Query.tasks': () => ({ query: `{ tasks(first: 5) { totalCount edges { node { id } } } }` }),
  'Query.whyAccess': ({ f }) => ({ query: `query($u: ID!, $e: ID!) { whyAccess(userId: $u, entitlementId: $e) { __typename } }`, variables: { u: f.user.carol, e: f.ent['crm-admin'] } }),
  'Query.entitlementHolders': ({ f }) => ({ query: `query($e: ID!) { entitlementHolders(entitlementId: $e) { totalCount } }`, variables: { e: f.ent['wiki-read'] } }),
  'Query.whatIfMembershipAutomation': ({ f }) => ({ query: `query($p: ID!) { whatIfMembershipAutomation(profileId: $p) { __typename } }`, variables: { p: f.sales } }),
  'Query.blastRadius': ({ f }) => ({ query: `query($p: ID!) { blastRadius(change: DISABLE_PROFILE, profileId: $p) { __typename } }`, variables: { p: f.sales } }),
  'Query.unjustifiedGrants': () => ({ query: `{ unjustifiedGrants { totalCount } }` }),
  'Query.driftedMembers': () => ({ query: `{ driftedMembers { totalCount } }` }),
  'Query.redundantExclusions': () => ({ query: `{ redundantExclusions { totalCount } }` }),
  'Query.emptyProfiles': () => ({ query: `{ emptyProfiles { totalCount } }` }),
  'Query.overlappingProfiles': () => ({ query: `{ overlappingProfiles { totalCount } }` }),
  'Query.auditLog': () => ({ query: `{ auditLog(first: 5) { totalCount edges { node { action actor { id } } } } }` }),
  'Query.verifyAuditLog': () => ({ query: `{ verifyAuditLog { ok } }` }),

  // ---- Mutation: ingest (new external ids, so that allowed runs add rows and refused ones would show)
  'Mutation.upsertUsers': ({ f }) => ({
    query: `mutation($x: String!) { upsertUsers(users: [{ externalId: $x, email: "i@example.com", displayName: "Ingested" }]) { created } }`,
    variables: { x: `ingested-${next(f)}` },
  }),
  'Mutation.upsertApps': ({ f }) => ({ query: `mutation($x: String!) { upsertApps(apps: [{ externalId: $x, name: "Ingested" }]) { created } }`, variables: { x: `app-${next(f)}` } }),
  'Mutation.upsertEntitlements': ({ f }) => ({
    query: `mutation($x: String!) { upsertEntitlements(entitlements: [{ externalId: $x, appExternalId: "wiki", name: "Ingested" }]) { created } }`,
    variables: { x: `ent-${next(f)}` },
  }),
  'Mutation.upsertGrants': () => ({ query: `mutation { upsertGrants(grants: [{ userExternalId: "zed", entitlementExternalId: "wiki-edit" }]) { created } }` }),

  // ---- Mutation: administration (on the Scratch profile and the throwaway user zed)
  'Mutation.createPolicy': ({ f }) => ({ query: `mutation($n: String!) { createPolicy(name: $n, steps: []) { id } }`, variables: { n: `policy-${next(f)}` } }),
  'Mutation.createAccessProfile': ({ f }) => ({ query: `mutation($n: String!) { createAccessProfile(input: { name: $n }) { id } }`, variables: { n: `profile-${next(f)}` } }),
  'Mutation.updateAccessProfile': ({ f }) => ({ query: `mutation($p: ID!) { updateAccessProfile(id: $p, input: { name: "Scratch", description: "edited" }) { id } }`, variables: { p: f.scratch } }),
  'Mutation.addProfileItems': ({ f }) => ({
    query: `mutation($p: ID!, $e: ID!) { addProfileItems(profileId: $p, entitlementIds: [$e], requestForMembers: false) { id } }`,
    variables: { p: f.scratch, e: f.ent['wiki-edit'] },
  }),
  'Mutation.removeProfileItems': ({ f }) => ({ query: `mutation($p: ID!, $e: ID!) { removeProfileItems(profileId: $p, entitlementIds: [$e]) { id } }`, variables: { p: f.scratch, e: f.ent['wiki-edit'] } }),
  'Mutation.setMembershipAutomation': ({ f }) => ({
    query: `mutation($p: ID!) { setMembershipAutomation(profileId: $p, input: { enabled: false, mode: SYNC_MEMBERS_ONLY, conditionEntitlementIds: [] }) { id } }`,
    variables: { p: f.scratch },
  }),
  'Mutation.enrollUsers': ({ f }) => ({ query: `mutation($p: ID!, $u: ID!) { enrollUsers(profileId: $p, userIds: [$u]) { id } }`, variables: { p: f.scratch, u: f.user.zed } }),
  'Mutation.unenrollUsers': ({ f }) => ({ query: `mutation($p: ID!, $u: ID!) { unenrollUsers(profileId: $p, userIds: [$u]) { id } }`, variables: { p: f.scratch, u: f.user.zed } }),
  'Mutation.requestMissingAccess': ({ f }) => ({ query: `mutation($p: ID!) { requestMissingAccess(profileId: $p) { id } }`, variables: { p: f.scratch } }),
  'Mutation.syncNow': ({ f }) => ({ query: `mutation($p: ID!) { syncNow(profileId: $p) { id } }`, variables: { p: f.scratch } }),
  'Mutation.resumeSync': () => ({ query: `mutation($r: ID!) { resumeSync(syncRunId: $r) { id } }`, variables: { r: GHOST_RUN } }),
  'Mutation.discardSync': () => ({ query: `mutation($r: ID!) { discardSync(syncRunId: $r) { id } }`, variables: { r: GHOST_RUN } }),
  'Mutation.updateSafeguardSettings': ({ f }) => ({
    query: `mutation($m: Int!, $r: Float!) { updateSafeguardSettings(minMembers: $m, maxUnenrollRatio: $r) { minMembers } }`,
    variables: { m: f.safeguard.minMembers, r: f.safeguard.maxUnenrollRatio },
  }),
  'Mutation.setUserRole': ({ f }) => ({ query: `mutation($u: ID!) { setUserRole(userId: $u, role: USER) { id } }`, variables: { u: f.user.zed } }),
  'Mutation.createApiToken': ({ f }) => ({ query: `mutation($u: ID!) { createApiToken(userId: $u, name: "walk", scopes: ["read"]) { apiToken { id } } }`, variables: { u: f.user.zed } }),
  'Mutation.revokeApiToken': async ({ t, f }) => {
    const data = await t.admin(`mutation($u: ID!) { createApiToken(userId: $u, name: "to revoke", scopes: ["read"]) { apiToken { id } } }`, { u: f.user.zed });
    return { query: `mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, variables: { id: data.createApiToken.apiToken.id } };
  },

  // ---- Mutation: the workflow (each on a task the viewer's user is entitled to act on)
  'Mutation.requestAccess': ({ f }) => ({ query: `mutation($e: ID!) { requestAccess(entitlementId: $e) { id state } }`, variables: { e: f.ent['crm-request'] } }),
  'Mutation.approveTask': async ({ t, f }) => ({ query: `mutation($id: ID!) { approveTask(taskId: $id) { id state } }`, variables: { id: await freshCarolTask(t, f, 'panel') } }),
  'Mutation.denyTask': async ({ t, f }) => ({ query: `mutation($id: ID!) { denyTask(taskId: $id, comment: "no") { id state } }`, variables: { id: await freshCarolTask(t, f, 'panel') } }),
  'Mutation.completeProvisioning': async ({ t, f }) => ({ query: `mutation($id: ID!) { completeProvisioning(taskId: $id) { id state } }`, variables: { id: await freshCarolTask(t, f, 'none') } }),
  'Mutation.failProvisioning': async ({ t, f }) => ({
    query: `mutation($id: ID!) { failProvisioning(taskId: $id, reason: "could not") { id state } }`,
    variables: { id: await freshCarolTask(t, f, 'none') },
  }),
  'Mutation.cancelTask': async ({ t, f, viewer }) => ({
    query: `mutation($id: ID!) { cancelTask(taskId: $id, reason: "withdrawn") { id state } }`,
    variables: { id: await freshTaskRequestedBy(t, f, USER_OF[viewer]) },
  }),

  // ---- restricted fields of the catalogue types, on another user's / the fixture's objects
  'User.role': ({ f }) => on('User', f.user.carol!, 'role'),
  'User.grants': ({ f }) => on('User', f.user.carol!, 'grants { totalCount edges { node { id } } }'),
  'User.memberships': ({ f }) => on('User', f.user.carol!, 'memberships { id }'),
  'User.tasks': ({ f }) => on('User', f.user.carol!, 'tasks { totalCount edges { node { id } } }'),
  'Entitlement.holders': ({ f }) => on('Entitlement', f.ent['crm-admin']!, 'holders { totalCount edges { node { id } } }'),
  'AccessProfile.members': ({ f }) => on('AccessProfile', f.sales, 'members { totalCount edges { node { id } } }'),
  'AccessProfile.pendingEnrollments': ({ f }) => on('AccessProfile', f.sales, 'pendingEnrollments { count }'),
  'AccessProfile.syncRuns': ({ f }) => on('AccessProfile', f.sales, 'syncRuns { totalCount edges { node { id } } }'),
  'AccessProfile.pausedSync': ({ f }) => on('AccessProfile', f.sales, 'pausedSync { id }'),
  'AccessProfile.previewSync': ({ f }) => on('AccessProfile', f.sales, 'previewSync { memberCount toEnroll { id } }'),
  'AccessProfile.deniedEnrollments': ({ f }) => on('AccessProfile', f.sales, 'deniedEnrollments { totalCount edges { node { user { id } decidedAt } } }'),
  'AccessProfile.keptByDecision': ({ f }) => on('AccessProfile', f.sales, 'keptByDecision { totalCount edges { node { user { id } decidedAt } } }'),
  'AccessProfile.missingAccess': ({ f }) => on('AccessProfile', f.sales, 'missingAccess { memberCount missingCount items { id } members { totalCount edges { node { user { id } missingItems { id } } } } }'),
  'MembershipAutomation.excludedUsers': ({ f }) => on('AccessProfile', f.sales, 'automation { excludedUsers { id } }'),

  // ---- visibility checks
  'User.role@self': () => ({ query: `{ viewer { id role } }` }),
  'User.grants@self': () => ({ query: `{ viewer { id grants { totalCount edges { node { id } } } } }` }),
  'User.memberships@self': () => ({ query: `{ viewer { id memberships { id } } }` }),
  'User.tasks@self': () => ({ query: `{ viewer { id tasks { totalCount edges { node { id } } } } }` }),
  'node(Grant)@other': ({ f }) => on('Grant', f.grantOf.carol!, 'user { id } entitlement { id }'),
  'nodes(Grant)@other': ({ f }) => ({ query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Grant { user { id } } } }`, variables: { ids: [f.grantOf.carol] } }),
  'node(Grant)@self': ({ f, viewer }) => on('Grant', f.grantOf[USER_OF[viewer] ?? 'carol']!, 'user { id } entitlement { id }'),
  'node(Task)@other': ({ f }) => on('Task', f.carolPrivateTask, 'state user { id } entitlement { id }'),
  'nodes(Task)@other': ({ f }) => ({ query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Task { state } } }`, variables: { ids: [f.carolPrivateTask] } }),
  'node(Task)@approver': ({ f }) => on('Task', f.carolPanelTask, 'state user { id } approvers { id }'),
  'node(SyncRun)': ({ f }) => on('SyncRun', f.syncRunId, 'state profile { id }'),
  'Query.tasks(userId: other)': ({ f }) => ({ query: `query($u: ID!) { tasks(userId: $u) { totalCount edges { node { id } } } }`, variables: { u: f.user.carol } }),
  'Query.tasks(assignedToViewer)': () => ({ query: `{ tasks(assignedToViewer: true) { totalCount edges { node { id } } } }` }),
};

/** Where a catalogue type's fields are read from (an object of the fixture, by id). */
export function catalogueEntry(f: Fixture, type: string): { id: string; wrap: (selection: string) => string } {
  const direct = (id: string, typeName: string) => ({ id, wrap: (s: string) => `... on ${typeName} { ${s} }` });
  switch (type) {
    case 'User':
      return direct(f.user.carol!, 'User');
    case 'App':
      return direct(f.app.crm!, 'App');
    case 'Entitlement':
      return direct(f.ent['crm-admin']!, 'Entitlement');
    case 'AccessProfile':
      return direct(f.sales, 'AccessProfile');
    case 'MembershipAutomation':
      return { id: f.sales, wrap: (s) => `... on AccessProfile { automation { ${s} } }` };
    case 'Policy':
      return direct(f.policy.panel!, 'Policy');
    case 'PolicyStep':
      return { id: f.policy.panel!, wrap: (s) => `... on Policy { steps { ${s} } }` };
    default:
      throw new Error(`no catalogue entry for ${type}`);
  }
}
