/**
 * The enrollment and unenrollment cascades, end to end through the API on a real Neo4j: what a
 * completed enrollment or unenrollment, and a change of a profile's items, do to every item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg } from '../helpers/fixtures.js';
import { createPolicy, createProfile, enroll, graph, grantsOf, rawId, sourcesOf, task, tasksOf, unenroll } from '../helpers/workflow.js';

let t: TestApp;
const user: Record<string, string> = {};
const ent: Record<string, string> = {};
let auto: string;
let manager: string;

beforeAll(async () => {
  t = await startTestApp({ QUERY_MAX_COST: '1000000' });
  await resetGraph(t.app);
  await ingestOrg(t, 12, [
    { externalId: 'git', name: 'Git', owners: ['u1'], entitlements: ['git-read', 'git-write', 'git-admin'] },
    { externalId: 'crm', name: 'CRM', provisioning: 'MANUAL', owners: ['u2'], entitlements: ['crm-user'] },
    { externalId: 'wiki', name: 'Wiki', entitlements: ['wiki-read', 'wiki-edit'] },
  ]);
  for (let i = 0; i < 12; i++) user[`u${i}`] = await idOf(t, 'user', `u${i}`);
  for (const e of ['git-read', 'git-write', 'git-admin', 'crm-user', 'wiki-read', 'wiki-edit']) ent[e] = await idOf(t, 'entitlement', e);
  auto = await createPolicy(t, 'Auto-approve', []);
  manager = await createPolicy(t, 'Manager', [{ approverType: 'MANAGER' }]);
  // wiki-edit: the manager approves both its requests and its revocations.
  await t.admin(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { updated } }`, {
    e: [{ externalId: 'wiki-edit', appExternalId: 'wiki', name: 'wiki-edit', requestPolicyId: manager, revokePolicyId: manager }],
  });
});
afterAll(async () => t?.stop());

async function directGrant(userExternalId: string, entitlementExternalId: string) {
  await t.admin(`mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }`, { g: [{ userExternalId, entitlementExternalId }] });
}

describe('enrollment', () => {
  it('an auto-approved profile enrolls the user and provisions every item at once', async () => {
    const p = await createProfile(t, { name: 'Engineering', enrollmentPolicyId: auto, bypassItemRequestPolicies: true }, [ent['git-read']!, ent['git-write']!]);
    const [enrollment] = await enroll(t, p.id, [user.u3!]);
    expect(enrollment.state).toBe('DONE');
    expect(enrollment.children).toHaveLength(2);
    for (const child of enrollment.children) {
      expect(child).toMatchObject({ state: 'DONE', origin: 'PROFILE_ENROLLMENT', kind: 'GRANT', parent: { id: enrollment.id }, profile: { id: p.id } });
    }
    const grants = await grantsOf(t, user.u3!);
    expect(sourcesOf(grants.get(ent['git-read']!))).toEqual([`PROFILE:${p.id}`]);
    expect(sourcesOf(grants.get(ent['git-write']!))).toEqual([`PROFILE:${p.id}`]);
    expect(grants.get(ent['git-read']!)!.justifiedBy.map((x) => x.id)).toEqual([p.id]);
    expect(grants.has(p.enrollmentEntitlementId)).toBe(true);
    const [membership] = await graph<{ via: string; by: number }>(
      t,
      `MATCH (:User {id: $u})-[:HOLDS]->(g:Grant)-[:OF]->(:Entitlement {id: $e}) RETURN g.enrolledVia AS via, COUNT { (g)-[:GRANTED_BY]->(:Task {id: $task}) } AS by`,
      { u: rawId(user.u3!), e: rawId(p.enrollmentEntitlementId), task: rawId(enrollment.id) },
    );
    expect(membership).toEqual({ via: 'MANUAL', by: 1 });
    const members = await t.admin(`query($u: ID!) { node(id: $u) { ... on User { memberships { id } } } }`, { u: user.u3 });
    expect(members.node.memberships.map((m: { id: string }) => m.id)).toEqual([p.id]);
  });

  it("without the bypass, item tasks follow each item's request policy", async () => {
    const p = await createProfile(t, { name: 'Docs', enrollmentPolicyId: auto }, [ent['wiki-edit']!, ent['wiki-read']!]);
    const [enrollment] = await enroll(t, p.id, [user.u4!]);
    expect(enrollment.state).toBe('DONE');
    const byEntitlement = new Map(enrollment.children.map((c: any) => [c.entitlement.id, c]));
    // wiki-edit names the manager; wiki-read has no policy: the deployment default (the manager) applies.
    expect(byEntitlement.get(ent['wiki-edit'])).toMatchObject({ state: 'PENDING_APPROVAL', currentStep: 0, approvers: [{ id: user.u0 }] });
    expect(byEntitlement.get(ent['wiki-read'])).toMatchObject({ state: 'PENDING_APPROVAL', approvers: [{ id: user.u0 }] });
    expect((await grantsOf(t, user.u4!)).has(ent['wiki-edit']!)).toBe(false);
  });

  it('with the bypass, a MANUAL app item skips approval and waits for its provisioner', async () => {
    const p = await createProfile(t, { name: 'Sales', enrollmentPolicyId: auto, bypassItemRequestPolicies: true }, [ent['crm-user']!]);
    const [enrollment] = await enroll(t, p.id, [user.u5!]);
    expect(enrollment.children).toHaveLength(1);
    expect(enrollment.children[0]).toMatchObject({ state: 'PENDING_PROVISIONING', approvers: [] });
    expect((await grantsOf(t, user.u5!)).has(ent['crm-user']!)).toBe(false);
  });

  it('an item the user already holds just gains the profile as a source', async () => {
    await directGrant('u6', 'git-read');
    const p = await createProfile(t, { name: 'Readers', enrollmentPolicyId: auto, bypassItemRequestPolicies: true }, [ent['git-read']!, ent['git-admin']!]);
    const [enrollment] = await enroll(t, p.id, [user.u6!]);
    expect(enrollment.children.map((c: any) => c.entitlement.id)).toEqual([ent['git-admin']]);
    const grants = await grantsOf(t, user.u6!);
    expect(sourcesOf(grants.get(ent['git-read']!))).toEqual(['DIRECT', `PROFILE:${p.id}`].sort());
  });

  it('an enrollment awaiting its policy creates no item tasks until it completes', async () => {
    const p = await createProfile(t, { name: 'Guarded', enrollmentPolicyId: manager, bypassItemRequestPolicies: true }, [ent['git-admin']!]);
    const [enrollment] = await enroll(t, p.id, [user.u7!]);
    expect(enrollment).toMatchObject({ state: 'PENDING_APPROVAL', approvers: [{ id: user.u0 }], children: [] });
  });
});

describe('unenrollment', () => {
  it('LEAVE_AS_IS keeps the grants, minus the profile as a source', async () => {
    const p = await createProfile(
      t,
      { name: 'Keep', enrollmentPolicyId: auto, unenrollmentPolicyId: auto, bypassItemRequestPolicies: true, unenrollmentAction: 'LEAVE_AS_IS' },
      [ent['git-admin']!],
    );
    await enroll(t, p.id, [user.u8!]);
    const [unenrollment] = await unenroll(t, p.id, [user.u8!]);
    expect(unenrollment).toMatchObject({ state: 'DONE', kind: 'REVOKE', children: [] });
    const grants = await grantsOf(t, user.u8!);
    expect(grants.has(p.enrollmentEntitlementId)).toBe(false);
    expect(sourcesOf(grants.get(ent['git-admin']!))).toEqual([]);
    expect(grants.get(ent['git-admin']!)!.justifiedBy).toEqual([]);
  });

  it('REVOKE_ALL revokes every grant the profile gave, even one also held directly', async () => {
    await directGrant('u9', 'git-read');
    const p = await createProfile(
      t,
      { name: 'All', enrollmentPolicyId: auto, unenrollmentPolicyId: auto, bypassItemRequestPolicies: true, bypassItemRevokePolicies: true, unenrollmentAction: 'REVOKE_ALL' },
      [ent['git-read']!, ent['wiki-read']!],
    );
    await enroll(t, p.id, [user.u9!]);
    expect(sourcesOf((await grantsOf(t, user.u9!)).get(ent['git-read']!))).toEqual(['DIRECT', `PROFILE:${p.id}`].sort());
    const [unenrollment] = await unenroll(t, p.id, [user.u9!]);
    expect(unenrollment.children.map((c: any) => [c.entitlement.id, c.state, c.origin]).sort()).toEqual(
      [
        [ent['git-read'], 'DONE', 'PROFILE_UNENROLLMENT'],
        [ent['wiki-read'], 'DONE', 'PROFILE_UNENROLLMENT'],
      ].sort(),
    );
    const grants = await grantsOf(t, user.u9!);
    expect([...grants.keys()]).toEqual([]);
  });

  it('REVOKE_UNJUSTIFIED revokes only what no other profile or direct grant justifies', async () => {
    await directGrant('u10', 'wiki-read');
    const one = await createProfile(
      t,
      { name: 'One', enrollmentPolicyId: auto, unenrollmentPolicyId: auto, bypassItemRequestPolicies: true, bypassItemRevokePolicies: true, unenrollmentAction: 'REVOKE_UNJUSTIFIED' },
      [ent['git-read']!, ent['git-write']!, ent['wiki-read']!],
    );
    const two = await createProfile(t, { name: 'Two', enrollmentPolicyId: auto, bypassItemRequestPolicies: true }, [ent['git-write']!]);
    await enroll(t, one.id, [user.u10!]);
    await enroll(t, two.id, [user.u10!]);
    const before = await grantsOf(t, user.u10!);
    expect(sourcesOf(before.get(ent['git-write']!))).toEqual([`PROFILE:${one.id}`, `PROFILE:${two.id}`].sort());
    expect(sourcesOf(before.get(ent['wiki-read']!))).toEqual(['DIRECT', `PROFILE:${one.id}`].sort());

    const [unenrollment] = await unenroll(t, one.id, [user.u10!]);
    expect(unenrollment.children.map((c: any) => c.entitlement.id)).toEqual([ent['git-read']]);
    const after = await grantsOf(t, user.u10!);
    expect(after.has(ent['git-read']!)).toBe(false);
    expect(sourcesOf(after.get(ent['git-write']!))).toEqual([`PROFILE:${two.id}`]);
    expect(after.get(ent['git-write']!)!.justifiedBy.map((x) => x.id)).toEqual([two.id]);
    expect(sourcesOf(after.get(ent['wiki-read']!))).toEqual(['DIRECT']);
  });

  it("without the revoke bypass, revocations follow each item's revoke policy", async () => {
    const p = await createProfile(
      t,
      { name: 'Editors', enrollmentPolicyId: auto, unenrollmentPolicyId: auto, bypassItemRequestPolicies: true, unenrollmentAction: 'REVOKE_ALL' },
      [ent['wiki-edit']!, ent['git-read']!],
    );
    await enroll(t, p.id, [user.u11!]);
    expect((await grantsOf(t, user.u11!)).has(ent['wiki-edit']!)).toBe(true);
    const [unenrollment] = await unenroll(t, p.id, [user.u11!]);
    const byEntitlement = new Map(unenrollment.children.map((c: any) => [c.entitlement.id, c]));
    // wiki-edit's revoke policy names the manager; git-read has none: the default (zero steps) applies.
    expect(byEntitlement.get(ent['wiki-edit'])).toMatchObject({ state: 'PENDING_APPROVAL', kind: 'REVOKE', approvers: [{ id: user.u0 }] });
    expect(byEntitlement.get(ent['git-read'])).toMatchObject({ state: 'DONE' });
    const grants = await grantsOf(t, user.u11!);
    expect(grants.has(ent['wiki-edit']!)).toBe(true);
    expect(grants.has(ent['git-read']!)).toBe(false);
  });
});

describe('profile items', () => {
  let p: { id: string; enrollmentEntitlementId: string };
  beforeAll(async () => {
    p = await createProfile(
      t,
      { name: 'Growing', enrollmentPolicyId: auto, unenrollmentPolicyId: auto, bypassItemRequestPolicies: true, bypassItemRevokePolicies: true, unenrollmentAction: 'REVOKE_UNJUSTIFIED' },
      [ent['git-read']!],
    );
    await enroll(t, p.id, [user.u1!, user.u2!]);
    // u2 holds wiki-read directly before it becomes an item.
    await directGrant('u2', 'wiki-read');
  });

  it('an item added with requests for members is granted to current members', async () => {
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: p.id, e: [ent['wiki-read']] });
    expect(sourcesOf((await grantsOf(t, user.u1!)).get(ent['wiki-read']!))).toEqual([`PROFILE:${p.id}`]);
    const added = (await tasksOf(t, user.u1!)).filter((x) => x.origin === 'PROFILE_ITEM_ADDED');
    expect(added).toMatchObject([{ state: 'DONE', profile: { id: p.id }, entitlement: { id: ent['wiki-read'] } }]);
    // A member who already holds it gets no task: the grant gains the profile as a source.
    expect(sourcesOf((await grantsOf(t, user.u2!)).get(ent['wiki-read']!))).toEqual(['DIRECT', `PROFILE:${p.id}`].sort());
    expect((await tasksOf(t, user.u2!)).filter((x) => x.origin === 'PROFILE_ITEM_ADDED')).toEqual([]);
  });

  it('an item added for future members only creates no tasks now, and a new member gets it', async () => {
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e, requestForMembers: false) { id } }`, { p: p.id, e: [ent['git-admin']] });
    expect((await grantsOf(t, user.u1!)).has(ent['git-admin']!)).toBe(false);
    expect((await tasksOf(t, user.u1!)).filter((x) => x.entitlement.id === ent['git-admin'])).toEqual([]);
    await enroll(t, p.id, [user.u3!]);
    expect(sourcesOf((await grantsOf(t, user.u3!)).get(ent['git-admin']!))).toEqual([`PROFILE:${p.id}`]);
  });

  it("an item removed gets the profile's unenrollment action for current members", async () => {
    // u2 also holds wiki-read directly: it stays, losing only this profile as a source.
    await t.admin(`mutation($p: ID!, $e: [ID!]!) { removeProfileItems(profileId: $p, entitlementIds: $e) { id } }`, { p: p.id, e: [ent['wiki-read']] });
    expect((await grantsOf(t, user.u1!)).has(ent['wiki-read']!)).toBe(false);
    const removed = (await tasksOf(t, user.u1!)).filter((x) => x.origin === 'PROFILE_ITEM_REMOVED');
    expect(removed).toMatchObject([{ kind: 'REVOKE', state: 'DONE', entitlement: { id: ent['wiki-read'] } }]);
    expect(sourcesOf((await grantsOf(t, user.u2!)).get(ent['wiki-read']!))).toEqual(['DIRECT']);
    expect((await tasksOf(t, user.u2!)).filter((x) => x.origin === 'PROFILE_ITEM_REMOVED')).toEqual([]);
    // The member's other items are untouched.
    expect(sourcesOf((await grantsOf(t, user.u1!)).get(ent['git-read']!))).toEqual([`PROFILE:${p.id}`]);
  });

  it('the events of a cascade are in the log with the change', async () => {
    const [enrollment] = await enroll(t, p.id, [user.u4!]);
    const rows = await graph<{ type: string }>(t, `MATCH (e:Event) WHERE e.taskId IN $ids RETURN e.type AS type ORDER BY e.seq`, {
      ids: [rawId(enrollment.id), ...enrollment.children.map((c: any) => rawId(c.id))],
    });
    const types = rows.map((r) => r.type);
    expect(types.filter((x) => x === 'TASK_CREATED')).toHaveLength(1 + enrollment.children.length);
    expect(types.filter((x) => x === 'TASK_DONE')).toHaveLength(1 + enrollment.children.length);
    expect(types.filter((x) => x === 'MEMBER_ENROLLED')).toHaveLength(1);
    expect((await task(t, enrollment.id)).children.length).toBe(enrollment.children.length);
  });
});
