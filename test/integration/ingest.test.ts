/**
 * Partner ingest through the real server on Neo4j: the bulk upserts keyed by external id,
 * idempotence, atomic refusal of bad batches, and replaceForEntitlements.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetGraph, startTestApp, type GraphQLResponse, type TestApp } from '../helpers/app.js';
import { idOf } from '../helpers/fixtures.js';
import { codeOf, cypher, cypherOne, expectNoInternals, graphCounts, graphSnapshot } from '../helpers/foundation-graph.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
});
afterAll(async () => t?.stop());

const UPSERT_USERS = `mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created updated unchanged } }`;
const UPSERT_APPS = `mutation($a: [AppInput!]!) { upsertApps(apps: $a) { created updated unchanged } }`;
const UPSERT_ENTITLEMENTS = `mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created updated unchanged } }`;
const UPSERT_GRANTS = `mutation($g: [GrantInput!]!, $r: [String!]) { upsertGrants(grants: $g, replaceForEntitlements: $r) { created updated unchanged removed } }`;

interface RejectedRow {
  index: number;
  key?: string;
  problem: string;
}

/** Sends a batch that must be refused whole; checks the code, the rows named, and that nothing moved. */
async function expectRejected(query: string, variables: Record<string, unknown>, rows: number[]): Promise<GraphQLResponse<unknown>> {
  const before = await graphSnapshot(t);
  const body = await t.request(query, variables);
  expect(codeOf(body)).toBe('BAD_USER_INPUT');
  expect(body.data).toBeNull();
  const named = (body.errors![0]!.extensions!.rows as RejectedRow[]).map((r) => r.index);
  expect([...new Set(named)].sort()).toEqual(rows);
  for (const index of rows) expect(body.errors![0]!.message).toContain(`#${index}`);
  expectNoInternals(body);
  expect(await graphSnapshot(t)).toBe(before);
  return body;
}

const person = (i: number, extra: Record<string, unknown> = {}) => ({ externalId: `p${i}`, email: `p${i}@corp.example`, displayName: `Person ${i}`, ...extra });

describe('upsertUsers', () => {
  it('creates users with managers given later in the same batch, and reads them back', async () => {
    const users = [person(1, { managerExternalId: 'p0' }), person(2, { managerExternalId: 'p1', status: 'DISABLED' }), person(0)];
    const data = await t.admin(UPSERT_USERS, { u: users });
    expect(data.upsertUsers).toEqual({ created: 3, updated: 0, unchanged: 0 });
    const read = await t.admin(`{ userByExternalId(externalId: "p2") { externalId email displayName status role manager { externalId manager { externalId manager { id } } } } }`);
    expect(read.userByExternalId).toEqual({
      externalId: 'p2',
      email: 'p2@corp.example',
      displayName: 'Person 2',
      status: 'DISABLED',
      role: 'USER',
      manager: { externalId: 'p1', manager: { externalId: 'p0', manager: null } },
    });
  });

  it('counts the same batch sent again as unchanged and writes nothing', async () => {
    const users = [person(1, { managerExternalId: 'p0' }), person(2, { managerExternalId: 'p1', status: 'DISABLED' }), person(0)];
    const before = await graphSnapshot(t);
    const data = await t.admin(UPSERT_USERS, { u: users });
    expect(data.upsertUsers).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(await graphSnapshot(t)).toBe(before);
  });

  it('updates changed fields and managers, and clears a manager left out', async () => {
    const data = await t.admin(UPSERT_USERS, {
      u: [person(0, { displayName: 'Person Zero' }), person(1), person(2, { managerExternalId: 'p0', status: 'DISABLED' }), person(3, { managerExternalId: 'p2' })],
    });
    expect(data.upsertUsers).toEqual({ created: 1, updated: 3, unchanged: 0 });
    const rows = await cypher(t, `MATCH (u:User) WHERE u.externalId STARTS WITH 'p' OPTIONAL MATCH (u)-[:REPORTS_TO]->(m) RETURN u.externalId AS u, u.displayName AS name, collect(m.externalId) AS managers ORDER BY u`);
    expect(rows).toEqual([
      { u: 'p0', name: 'Person Zero', managers: [] },
      { u: 'p1', name: 'Person 1', managers: [] },
      { u: 'p2', name: 'Person 2', managers: ['p0'] },
      { u: 'p3', name: 'Person 3', managers: ['p2'] },
    ]);
    // a user keeps its id across updates
    const { n } = await cypherOne(t, `MATCH (u:User) RETURN count(DISTINCT u.id) AS n`);
    expect(n).toBe(4);
  });

  it('refuses a batch with one invalid row whole, naming it', async () => {
    await expectRejected(UPSERT_USERS, { u: [person(10), person(11, { email: 'not-an-address' }), person(12)] }, [1]);
    await expectRejected(UPSERT_USERS, { u: [person(10), person(11, { displayName: '   ' })] }, [1]);
    await expectRejected(UPSERT_USERS, { u: [person(10, { managerExternalId: 'p10' })] }, [0]);
  });

  it('refuses an unknown manager whole, also when the other rows are fine', async () => {
    const body = await expectRejected(UPSERT_USERS, { u: [person(20), person(21, { managerExternalId: 'nobody' }), person(1, { displayName: 'changed' })] }, [1]);
    expect(body.errors![0]!.message).toContain('nobody');
  });

  it('refuses duplicates inside a batch, naming the later row', async () => {
    const body = await expectRejected(UPSERT_USERS, { u: [person(30), person(31), person(30, { displayName: 'again' })] }, [2]);
    expect(body.errors![0]!.message).toContain('duplicate of row #0');
  });

  it('refuses a wrongly typed row at the GraphQL layer without writing', async () => {
    const before = await graphCounts(t);
    const body = await t.request(UPSERT_USERS, { u: [person(40), { externalId: 'p41', email: 'p41@x.example' }] });
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
    expectNoInternals(body);
    expect(await graphCounts(t)).toEqual(before);
  });

  it('writes 12,000 users (more than one 5,000-row chunk) in one call, and counts them unchanged the second time', async () => {
    const users = Array.from({ length: 12_000 }, (_, i) => ({
      externalId: `big${i}`,
      email: `big${i}@corp.example`,
      displayName: `Big ${i}`,
      managerExternalId: i === 0 ? null : `big${Math.floor((i - 1) / 10)}`,
    }));
    const first = await t.admin(UPSERT_USERS, { u: users });
    expect(first.upsertUsers).toEqual({ created: 12_000, updated: 0, unchanged: 0 });
    const { users: n, reports } = await cypherOne(t, `CALL { MATCH (u:User) WHERE u.externalId STARTS WITH 'big' RETURN count(u) AS users }
       CALL { MATCH (:User)-[:REPORTS_TO]->(m:User) WHERE m.externalId STARTS WITH 'big' RETURN count(*) AS reports }
       RETURN users, reports`);
    expect(n).toBe(12_000);
    expect(reports).toBe(11_999);
    const second = await t.admin(UPSERT_USERS, { u: users });
    expect(second.upsertUsers).toEqual({ created: 0, updated: 0, unchanged: 12_000 });
  }, 180_000);

  it('refuses a 12,000-row batch whose last row is bad, writing none of the others', async () => {
    const users = Array.from({ length: 12_000 }, (_, i) => ({ externalId: `huge${i}`, email: `huge${i}@corp.example`, displayName: `Huge ${i}` }));
    users[11_999]!.email = 'broken';
    const before = await graphCounts(t);
    const body = await t.request(UPSERT_USERS, { u: users });
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
    expect(await graphCounts(t)).toEqual(before);
  });
});

describe('upsertApps', () => {
  it('creates apps with owners and provisioning, then counts a repeat as unchanged', async () => {
    const apps = [
      { externalId: 'github', name: 'GitHub', ownerExternalIds: ['p0', 'p1'] },
      { externalId: 'aws', name: 'AWS', provisioning: 'MANUAL', ownerExternalIds: ['p2'] },
      { externalId: 'slack', name: 'Slack' },
    ];
    expect((await t.admin(UPSERT_APPS, { a: apps })).upsertApps).toEqual({ created: 3, updated: 0, unchanged: 0 });
    const before = await graphSnapshot(t);
    expect((await t.admin(UPSERT_APPS, { a: apps })).upsertApps).toEqual({ created: 0, updated: 0, unchanged: 3 });
    expect(await graphSnapshot(t)).toBe(before);
    const read = await t.admin(`{ appByExternalId(externalId: "github") { name provisioning owners { externalId } } aws: appByExternalId(externalId: "aws") { provisioning owners { externalId } } }`);
    expect(read.appByExternalId.name).toBe('GitHub');
    expect(read.appByExternalId.provisioning).toBe('AUTOMATIC');
    expect(read.appByExternalId.owners.map((o: { externalId: string }) => o.externalId).sort()).toEqual(['p0', 'p1']);
    expect(read.aws).toEqual({ provisioning: 'MANUAL', owners: [{ externalId: 'p2' }] });
  });

  it("replaces an app's owners with the batch's list", async () => {
    const data = await t.admin(UPSERT_APPS, { a: [{ externalId: 'github', name: 'GitHub', ownerExternalIds: ['p3'] }] });
    expect(data.upsertApps).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const read = await t.admin(`{ appByExternalId(externalId: "github") { owners { externalId } } }`);
    expect(read.appByExternalId.owners).toEqual([{ externalId: 'p3' }]);
  });

  it('refuses an unknown owner or an empty name whole', async () => {
    await expectRejected(UPSERT_APPS, { a: [{ externalId: 'jira', name: 'Jira' }, { externalId: 'okta', name: 'Okta', ownerExternalIds: ['ghost'] }] }, [1]);
    await expectRejected(UPSERT_APPS, { a: [{ externalId: '', name: 'X' }, { externalId: 'jira', name: 'Jira' }] }, [0]);
  });
});

describe('upsertEntitlements', () => {
  let policyId: string;
  beforeAll(async () => {
    const data = await t.admin(`mutation { createPolicy(name: "Manager approves", steps: [{ approverType: MANAGER }]) { id } }`);
    policyId = data.createPolicy.id;
  });

  it('creates entitlements under their apps with their policies, then counts a repeat as unchanged', async () => {
    const entitlements = [
      { externalId: 'gh-admin', appExternalId: 'github', name: 'Org admin', requestPolicyId: policyId, revokePolicyId: policyId },
      { externalId: 'gh-member', appExternalId: 'github', name: 'Org member' },
      { externalId: 'aws-prod', appExternalId: 'aws', name: 'Prod access', requestPolicyId: policyId },
      { externalId: 'slack-general', appExternalId: 'slack', name: '#general' },
    ];
    expect((await t.admin(UPSERT_ENTITLEMENTS, { e: entitlements })).upsertEntitlements).toEqual({ created: 4, updated: 0, unchanged: 0 });
    const before = await graphSnapshot(t);
    expect((await t.admin(UPSERT_ENTITLEMENTS, { e: entitlements })).upsertEntitlements).toEqual({ created: 0, updated: 0, unchanged: 4 });
    expect(await graphSnapshot(t)).toBe(before);
    const read = await t.admin(`{ entitlementByExternalId(externalId: "gh-admin") { name kind app { externalId } requestPolicy { id name } revokePolicy { id } profile { id } } }`);
    expect(read.entitlementByExternalId).toEqual({
      name: 'Org admin',
      kind: 'STANDARD',
      app: { externalId: 'github' },
      requestPolicy: { id: policyId, name: 'Manager approves' },
      revokePolicy: { id: policyId },
      profile: null,
    });
  });

  it('updates the name, moves an entitlement to another app and clears a policy', async () => {
    const data = await t.admin(UPSERT_ENTITLEMENTS, { e: [{ externalId: 'aws-prod', appExternalId: 'github', name: 'Prod access (moved)' }] });
    expect(data.upsertEntitlements).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const read = await t.admin(`{ entitlementByExternalId(externalId: "aws-prod") { name app { externalId } requestPolicy { id } } }`);
    expect(read.entitlementByExternalId).toEqual({ name: 'Prod access (moved)', app: { externalId: 'github' }, requestPolicy: null });
    const { apps } = await cypherOne(t, `MATCH (:Entitlement {externalId: 'aws-prod'})-[:OF_APP]->(a) RETURN count(a) AS apps`);
    expect(apps).toBe(1);
    await t.admin(UPSERT_ENTITLEMENTS, { e: [{ externalId: 'aws-prod', appExternalId: 'aws', name: 'Prod access', requestPolicyId: policyId }] });
  });

  it('refuses an unknown app, an unknown policy or a garbage policy id whole', async () => {
    await expectRejected(UPSERT_ENTITLEMENTS, { e: [{ externalId: 'x1', appExternalId: 'github', name: 'ok' }, { externalId: 'x2', appExternalId: 'nope', name: 'X' }] }, [1]);
    const unknownPolicy = Buffer.from('Policy:00000000-0000-0000-0000-000000000000').toString('base64');
    await expectRejected(UPSERT_ENTITLEMENTS, { e: [{ externalId: 'x1', appExternalId: 'github', name: 'ok', requestPolicyId: unknownPolicy }] }, [0]);
    await expectRejected(UPSERT_ENTITLEMENTS, { e: [{ externalId: 'x1', appExternalId: 'github', name: 'ok' }, { externalId: 'x2', appExternalId: 'github', name: 'X', revokePolicyId: 'garbage!' }] }, [1]);
    await expectRejected(UPSERT_ENTITLEMENTS, { e: [{ externalId: 'x1', appExternalId: 'github', name: 'ok' }, { externalId: 'x1', appExternalId: 'github', name: 'dup' }] }, [1]);
  });
});

describe('upsertGrants', () => {
  const grantRows = async (entitlement: string) =>
    cypher(
      t,
      `MATCH (u:User)-[:HOLDS]->(g:Grant)-[:OF]->(:Entitlement {externalId: $e})
       RETURN u.externalId AS user, g.direct AS direct, [(g)-[:FROM_PROFILE]->(p) | p.id] AS profiles ORDER BY user`,
      { e: entitlement },
    );

  it('creates direct grants, and counts the same batch again as unchanged without touching them', async () => {
    const grants = [
      { userExternalId: 'p0', entitlementExternalId: 'gh-admin' },
      { userExternalId: 'p1', entitlementExternalId: 'gh-member' },
      { userExternalId: 'p2', entitlementExternalId: 'gh-member' },
      { userExternalId: 'p3', entitlementExternalId: 'gh-member' },
    ];
    expect((await t.admin(UPSERT_GRANTS, { g: grants })).upsertGrants).toEqual({ created: 4, updated: 0, unchanged: 0, removed: 0 });
    const before = await graphSnapshot(t);
    expect((await t.admin(UPSERT_GRANTS, { g: grants })).upsertGrants).toEqual({ created: 0, updated: 0, unchanged: 4, removed: 0 });
    expect(await graphSnapshot(t)).toBe(before);
    const read = await t.admin(`{ userByExternalId(externalId: "p1") { grants { totalCount edges { node { entitlement { externalId } sources { type profile { id } } grantedAt } } } } }`);
    expect(read.userByExternalId.grants.totalCount).toBe(1);
    const node = read.userByExternalId.grants.edges[0].node;
    expect(node.entitlement.externalId).toBe('gh-member');
    expect(node.sources).toEqual([{ type: 'DIRECT', profile: null }]);
    expect(Number.isNaN(Date.parse(node.grantedAt))).toBe(false);
  });

  it('adds the same new grant from several ingests at once: all succeed, and the user holds it once', async () => {
    const grant = [{ userExternalId: 'p3', entitlementExternalId: 'gh-admin' }];
    const answers = await Promise.all(Array.from({ length: 6 }, () => t.request<{ upsertGrants: { created: number; unchanged: number } }>(UPSERT_GRANTS, { g: grant })));
    for (const answer of answers) expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    expect(answers.map((a) => a.data!.upsertGrants.created).reduce((a, b) => a + b, 0)).toBe(1);
    expect(answers.map((a) => a.data!.upsertGrants.unchanged).reduce((a, b) => a + b, 0)).toBe(5);
    const { n } = await cypherOne<{ n: number }>(t, `MATCH (:User {externalId: 'p3'})-[:HOLDS]->(g:Grant)-[:OF]->(:Entitlement {externalId: 'gh-admin'}) RETURN count(g) AS n`);
    expect(n).toBe(1);
    // Back to the file's organisation: gh-admin held by p0 only.
    await t.admin(UPSERT_GRANTS, { g: [{ userExternalId: 'p0', entitlementExternalId: 'gh-admin' }], r: ['gh-admin'] });
  });

  it('refuses an unknown user, an unknown entitlement, a duplicate row or an unknown replace target whole', async () => {
    await expectRejected(UPSERT_GRANTS, { g: [{ userExternalId: 'p0', entitlementExternalId: 'slack-general' }, { userExternalId: 'ghost', entitlementExternalId: 'slack-general' }] }, [1]);
    await expectRejected(UPSERT_GRANTS, { g: [{ userExternalId: 'p0', entitlementExternalId: 'nothing' }, { userExternalId: 'p1', entitlementExternalId: 'slack-general' }] }, [0]);
    await expectRejected(
      UPSERT_GRANTS,
      { g: [{ userExternalId: 'p0', entitlementExternalId: 'slack-general' }, { userExternalId: 'p1', entitlementExternalId: 'slack-general' }, { userExternalId: 'p0', entitlementExternalId: 'slack-general' }] },
      [2],
    );
    // replaceForEntitlements with an unknown entitlement: nothing is removed either
    const body = await expectRejected(UPSERT_GRANTS, { g: [{ userExternalId: 'p0', entitlementExternalId: 'slack-general' }], r: ['gh-member', 'unknown-ent'] }, [1]);
    expect(body.errors![0]!.message).toContain('unknown-ent');
  });

  it('confirms a grant held through a profile without adding the direct source', async () => {
    const profile = await t.admin(`mutation { createAccessProfile(input: { name: "Engineering" }) { id } }`);
    const profileId = Buffer.from(profile.createAccessProfile.id, 'base64').toString('utf8').split(':')[1];
    await cypher(
      t,
      `MATCH (u:User {externalId: 'p0'}), (e:Entitlement {externalId: 'slack-general'}), (p:AccessProfile {id: $profileId})
       CREATE (u)-[:HOLDS]->(g:Grant {id: randomUUID(), key: u.id + '|' + e.id, grantedAt: '2024-01-01T00:00:00.000Z', direct: false})-[:OF]->(e),
              (g)-[:FROM_PROFILE]->(p)`,
      { profileId },
    );
    const data = await t.admin(UPSERT_GRANTS, { g: [{ userExternalId: 'p0', entitlementExternalId: 'slack-general' }, { userExternalId: 'p1', entitlementExternalId: 'slack-general' }] });
    expect(data.upsertGrants).toEqual({ created: 1, updated: 0, unchanged: 1, removed: 0 });
    expect(await grantRows('slack-general')).toEqual([
      { user: 'p0', direct: false, profiles: [profileId] },
      { user: 'p1', direct: true, profiles: [] },
    ]);
    const read = await t.admin(`{ userByExternalId(externalId: "p0") { grants { edges { node { entitlement { externalId } sources { type profile { name } } } } } } }`);
    const slack = read.userByExternalId.grants.edges.map((e: any) => e.node).find((n: any) => n.entitlement.externalId === 'slack-general');
    expect(slack.sources).toEqual([{ type: 'PROFILE', profile: { name: 'Engineering' } }]);
  });

  it('replaceForEntitlements removes the unlisted grants of those entitlements whatever their sources, and only those', async () => {
    // slack-general: p0 (through the profile), p1 (direct). gh-member: p1, p2, p3 (direct). gh-admin: p0.
    const data = await t.admin(UPSERT_GRANTS, {
      g: [
        { userExternalId: 'p1', entitlementExternalId: 'slack-general' },
        { userExternalId: 'p2', entitlementExternalId: 'slack-general' },
        { userExternalId: 'p2', entitlementExternalId: 'gh-member' },
      ],
      r: ['slack-general', 'gh-member'],
    });
    expect(data.upsertGrants).toEqual({ created: 1, updated: 0, unchanged: 2, removed: 3 });
    expect(await grantRows('slack-general')).toEqual([
      { user: 'p1', direct: true, profiles: [] },
      { user: 'p2', direct: true, profiles: [] },
    ]);
    expect((await grantRows('gh-member')).map((r) => r.user)).toEqual(['p2']);
    // an entitlement not named in replaceForEntitlements keeps its grants
    expect((await grantRows('gh-admin')).map((r) => r.user)).toEqual(['p0']);
    // no dangling grant nodes or FROM_PROFILE relationships are left behind
    const { orphans } = await cypherOne(t, `MATCH (g:Grant) WHERE NOT (g)<-[:HOLDS]-(:User) OR NOT (g)-[:OF]->(:Entitlement) RETURN count(g) AS orphans`);
    expect(orphans).toBe(0);
    const { fromProfile } = await cypherOne(t, `MATCH ()-[r:FROM_PROFILE]->() RETURN count(r) AS fromProfile`);
    expect(fromProfile).toBe(0);
  });

  it('replaceForEntitlements with an empty batch removes every grant of the entitlement, and a repeat removes nothing', async () => {
    const first = await t.admin(UPSERT_GRANTS, { g: [], r: ['slack-general'] });
    expect(first.upsertGrants).toEqual({ created: 0, updated: 0, unchanged: 0, removed: 2 });
    expect(await grantRows('slack-general')).toEqual([]);
    const again = await t.admin(UPSERT_GRANTS, { g: [], r: ['slack-general'] });
    expect(again.upsertGrants).toEqual({ created: 0, updated: 0, unchanged: 0, removed: 0 });
  });

  it('writes 12,000 grants of one entitlement in one call, then replaces them down to a few', async () => {
    const grants = Array.from({ length: 12_000 }, (_, i) => ({ userExternalId: `big${i}`, entitlementExternalId: 'slack-general' }));
    expect((await t.admin(UPSERT_GRANTS, { g: grants, r: ['slack-general'] })).upsertGrants).toEqual({ created: 12_000, updated: 0, unchanged: 0, removed: 0 });
    expect((await t.admin(UPSERT_GRANTS, { g: grants, r: ['slack-general'] })).upsertGrants).toEqual({ created: 0, updated: 0, unchanged: 12_000, removed: 0 });
    const kept = grants.slice(0, 3);
    expect((await t.admin(UPSERT_GRANTS, { g: kept, r: ['slack-general'] })).upsertGrants).toEqual({ created: 0, updated: 0, unchanged: 3, removed: 11_997 });
    const slack = await idOf(t, 'entitlement', 'slack-general');
    const read = await t.admin(`query($id: ID!) { node(id: $id) { ... on Entitlement { holders(first: 10) { totalCount } } } }`, { id: slack });
    expect(read.node.holders.totalCount).toBe(3);
  }, 180_000);
});
