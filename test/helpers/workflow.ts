/** Helpers for the workflow tests: policies, profiles, tasks and grants through the API. */
import type { TestApp } from './app.js';

export const TASK_FIELDS = `id kind state origin currentStep reason closeReason
  user { id } entitlement { id } profile { id } parent { id }
  approvers { id } approvals { approver { id } approved comment step }`;

export async function createPolicy(t: TestApp, name: string, steps: { approverType: string; userIds?: string[] }[]): Promise<string> {
  const data = await t.admin<{ createPolicy: { id: string } }>(`mutation($n: String!, $s: [PolicyStepInput!]!) { createPolicy(name: $n, steps: $s) { id } }`, { n: name, s: steps });
  return data.createPolicy.id;
}

export interface CreatedProfile {
  id: string;
  enrollmentEntitlementId: string;
}

export async function createProfile(t: TestApp, input: Record<string, unknown>, itemIds: string[] = []): Promise<CreatedProfile> {
  const data = await t.admin<{ createAccessProfile: { id: string; enrollmentEntitlement: { id: string } } }>(
    `mutation($i: AccessProfileInput!) { createAccessProfile(input: $i) { id enrollmentEntitlement { id } } }`,
    { i: input },
  );
  const profile = { id: data.createAccessProfile.id, enrollmentEntitlementId: data.createAccessProfile.enrollmentEntitlement.id };
  if (itemIds.length > 0) {
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: profile.id, e: itemIds });
  }
  return profile;
}

export async function enroll(t: TestApp, profileId: string, userIds: string[]): Promise<any[]> {
  const data = await t.admin<{ enrollUsers: any[] }>(`mutation($p: ID!, $u: [ID!]!) { enrollUsers(profileId: $p, userIds: $u) { ${TASK_FIELDS} children { ${TASK_FIELDS} } } }`, {
    p: profileId,
    u: userIds,
  });
  return data.enrollUsers;
}

export async function unenroll(t: TestApp, profileId: string, userIds: string[]): Promise<any[]> {
  const data = await t.admin<{ unenrollUsers: any[] }>(`mutation($p: ID!, $u: [ID!]!) { unenrollUsers(profileId: $p, userIds: $u) { ${TASK_FIELDS} children { ${TASK_FIELDS} } } }`, {
    p: profileId,
    u: userIds,
  });
  return data.unenrollUsers;
}

export interface GrantView {
  entitlement: { id: string };
  sources: { type: string; profile: { id: string } | null }[];
  justifiedBy: { id: string }[];
}

/** The user's grants by entitlement id. */
export async function grantsOf(t: TestApp, userId: string): Promise<Map<string, GrantView>> {
  const data = await t.admin<{ node: { grants: { edges: { node: GrantView }[] } } }>(
    `query($u: ID!) { node(id: $u) { ... on User { grants(first: 50) { edges { node { entitlement { id } sources { type profile { id } } justifiedBy { id } } } } } } }`,
    { u: userId },
  );
  return new Map(data.node.grants.edges.map((e) => [e.node.entitlement.id, e.node]));
}

/** Source types of a grant, sorted: 'DIRECT' and 'PROFILE:<global id>'. */
export function sourcesOf(grant: GrantView | undefined): string[] {
  return (grant?.sources ?? []).map((s) => (s.type === 'DIRECT' ? 'DIRECT' : `PROFILE:${s.profile?.id}`)).sort();
}

export async function tasksOf(t: TestApp, userId: string, states?: string[]): Promise<any[]> {
  const data = await t.admin<{ tasks: { edges: { node: any }[] } }>(`query($u: ID!, $s: [TaskState!]) { tasks(userId: $u, states: $s, first: 50) { edges { node { ${TASK_FIELDS} } } } }`, {
    u: userId,
    s: states ?? null,
  });
  return data.tasks.edges.map((e) => e.node);
}

export async function task(t: TestApp, id: string): Promise<any> {
  const data = await t.admin<{ node: any }>(`query($id: ID!) { node(id: $id) { ... on Task { ${TASK_FIELDS} children { ${TASK_FIELDS} } } } }`, { id });
  return data.node;
}

export { runCypher as graph } from './app.js';

export const rawId = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':').slice(1).join(':');

export const decide = (approve: boolean) =>
  approve
    ? `mutation($id: ID!, $c: String) { r: approveTask(taskId: $id, comment: $c) { ${TASK_FIELDS} } }`
    : `mutation($id: ID!, $c: String) { r: denyTask(taskId: $id, comment: $c) { ${TASK_FIELDS} } }`;
