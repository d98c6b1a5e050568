/** A small organisation for the console's journey: an admin, a reviewer with six engineers, a provisioner. */
import type { ConsoleServer } from './browser.js';

export const ENGINEERS = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'].map((id, i) => ({
  externalId: id,
  displayName: ['Erin Engineer', 'Eli Coder', 'Emma Builder', 'Ezra Tester', 'Eva Ops', 'Enzo Web'][i]!,
  email: `${id}@example.com`,
  managerExternalId: 'rev',
}));

export async function seed(server: ConsoleServer): Promise<void> {
  await server.admin('mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }', {
    u: [
      { externalId: 'adm', displayName: 'Ada Admin', email: 'ada@example.com' },
      { externalId: 'rev', displayName: 'Rita Reviewer', email: 'rita@example.com' },
      { externalId: 'prov', displayName: 'Paul Provisioner', email: 'paul@example.com' },
      { externalId: 'new', displayName: 'Nina Newcomer', email: 'nina@example.com', managerExternalId: 'rev' },
      ...ENGINEERS,
    ],
  });
  await server.admin('mutation($a: [AppInput!]!) { upsertApps(apps: $a) { created } }', {
    a: [
      { externalId: 'idp', name: 'Identity Provider' },
      { externalId: 'code', name: 'Code Host' },
      { externalId: 'chat', name: 'Team Chat' },
      { externalId: 'ledger', name: 'Ledger', provisioning: 'MANUAL', ownerExternalIds: ['prov'] },
    ],
  });
  await server.admin('mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }', {
    e: [
      { appExternalId: 'idp', externalId: 'idp-eng', name: 'group engineering' },
      { appExternalId: 'code', externalId: 'code-member', name: 'org member' },
      { appExternalId: 'chat', externalId: 'chat-eng', name: 'channel #eng' },
      { appExternalId: 'ledger', externalId: 'ledger-viewer', name: 'viewer' },
    ],
  });
  await setEngineeringGroup(server, ENGINEERS.map((e) => e.externalId));
  const id = async (externalId: string) => (await server.admin<{ u: { id: string } }>('query($x: String!) { u: userByExternalId(externalId: $x) { id } }', { x: externalId })).u.id;
  await server.admin('mutation($u: ID!) { setUserRole(userId: $u, role: ADMIN) { id } }', { u: await id('adm') });
  const personas = [
    { key: 'admin', externalId: 'adm', scopes: ['read', 'request', 'review', 'provision', 'admin'], what: 'ADMIN role: manages profiles and syncs' },
    { key: 'reviewer', externalId: 'rev', scopes: ['read', 'request', 'review', 'provision'], what: "Engineering lead: approves their reports' requests" },
    { key: 'provisioner', externalId: 'prov', scopes: ['read', 'request', 'review', 'provision'], what: 'owns the Ledger, provisioned by hand' },
  ];
  for (const p of personas) {
    const userId = await id(p.externalId);
    const created = await server.admin<{ t: { token: string; apiToken: { user: { displayName: string } } } }>(
      'mutation($u: ID!, $n: String!, $s: [String!]!) { t: createApiToken(userId: $u, name: $n, scopes: $s) { token apiToken { user { displayName } } } }',
      { u: userId, n: `e2e ${p.key}`, s: p.scopes },
    );
    server.personas.push({ key: p.key, what: p.what, name: created.t.apiToken.user.displayName, token: created.t.token });
  }
}

/** The source system's view of the engineering group: exactly these users hold it. */
export async function setEngineeringGroup(server: ConsoleServer, externalIds: string[]): Promise<void> {
  await server.admin('mutation($g: [GrantInput!]!, $r: [String!]) { upsertGrants(grants: $g, replaceForEntitlements: $r) { created removed } }', {
    g: externalIds.map((u) => ({ userExternalId: u, entitlementExternalId: 'idp-eng' })),
    r: ['idp-eng'],
  });
}
