/**
 * A demo organisation, loaded through the public API as a partner integration would: a few
 * hundred people in departments with managers, the usual apps with realistic entitlements and
 * grants, a few policies and access profiles with membership automation.
 */
import type { App } from '../src/app.js';

interface Department {
  name: string;
  size: number;
  idpGroup: string;
}

const DEPARTMENTS: Department[] = [
  { name: 'Engineering', size: 120, idpGroup: 'idp-engineering' },
  { name: 'Sales', size: 60, idpGroup: 'idp-sales' },
  { name: 'Support', size: 50, idpGroup: 'idp-support' },
  { name: 'Finance', size: 25, idpGroup: 'idp-finance' },
  { name: 'IT', size: 20, idpGroup: 'idp-it' },
  { name: 'People', size: 15, idpGroup: 'idp-people' },
];

const FIRST = ['Ada', 'Ben', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Maya', 'Nils', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wen', 'Ximena', 'Yusuf', 'Zoe'];
const LAST = ['Almeida', 'Berg', 'Chen', 'Dubois', 'Eze', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen', 'Kowalski', 'Lopez', 'Murphy', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Virtanen', 'Weber', 'Yilmaz', 'Zhang'];

const APPS = [
  { externalId: 'idp', name: 'Identity Provider', provisioning: 'AUTOMATIC', entitlements: DEPARTMENTS.map((d) => [d.idpGroup, `group ${d.name.toLowerCase()}`]).concat([['idp-admins', 'group admins'], ['idp-oncall', 'group on-call']]) },
  { externalId: 'codehost', name: 'Code Host', provisioning: 'AUTOMATIC', entitlements: [['code-member', 'org member'], ['code-repo-platform-write', 'platform repo: write'], ['code-repo-web-write', 'web repo: write'], ['code-admin', 'org owner']] },
  { externalId: 'cloud', name: 'Cloud Account', provisioning: 'MANUAL', entitlements: [['cloud-readonly', 'production read-only'], ['cloud-deploy', 'production deployer'], ['cloud-billing', 'billing viewer'], ['cloud-admin', 'account administrator']] },
  { externalId: 'chat', name: 'Chat', provisioning: 'AUTOMATIC', entitlements: [['chat-member', 'workspace member'], ['chat-eng', '#engineering'], ['chat-sales', '#sales'], ['chat-incidents', '#incidents']] },
  { externalId: 'crm', name: 'CRM', provisioning: 'AUTOMATIC', entitlements: [['crm-user', 'sales user'], ['crm-manager', 'sales manager'], ['crm-support', 'support agent']] },
  { externalId: 'ledger', name: 'Ledger', provisioning: 'MANUAL', entitlements: [['ledger-viewer', 'viewer'], ['ledger-accountant', 'accountant'], ['ledger-approver', 'payment approver']] },
] as const;

interface DemoUser {
  externalId: string;
  email: string;
  displayName: string;
  managerExternalId: string | null;
  department: Department;
}

/** The demo's people, the same every time (the generator is seeded; the rest of the load goes on drawing from it). */
function demoUsers(next: () => number = random(42)): DemoUser[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;

  const users: DemoUser[] = [];
  users.push({ externalId: 'emp-0000', email: 'ceo@example.com', displayName: 'Morgan Reyes', managerExternalId: null, department: DEPARTMENTS[5]! });
  let n = 1;
  for (const department of DEPARTMENTS) {
    const head = `emp-${String(n).padStart(4, '0')}`;
    const leads: string[] = [];
    for (let i = 0; i < department.size; i += 1, n += 1) {
      const externalId = `emp-${String(n).padStart(4, '0')}`;
      const first = pick(FIRST);
      const last = pick(LAST);
      const manager = i === 0 ? 'emp-0000' : i < 6 ? head : pick(leads.length ? leads : [head]);
      if (i > 0 && i < 6) leads.push(externalId);
      users.push({ externalId, email: `${first}.${last}.${n}@example.com`.toLowerCase(), displayName: `${first} ${last}`, managerExternalId: manager, department });
    }
  }
  return users;
}

/** A small deterministic generator, so every demo load is the same organisation. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function call<T = any>(app: App, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await app.yoga.fetch('http://demo/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`demo data: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}

/**
 * The people to act as in the demo, one per role in the access workflow: the IT lead is an ADMIN
 * (and owns the Cloud account, provisioned by hand), the Engineering lead reviews their reports'
 * requests (and owns the Code Host), the Finance lead provisions the Ledger, and an engineer asks
 * for access. The demo prints a fresh token for each at start.
 */
export const PERSONAS = [
  { key: 'admin', department: 'IT', scopes: ['read', 'request', 'review', 'provision', 'admin'], what: 'ADMIN role: decides what went to the admins, manages everything' },
  { key: 'reviewer', department: 'Engineering', scopes: ['read', 'request', 'review', 'provision'], what: "Engineering lead: approves their reports' requests" },
  { key: 'provisioner', department: 'Finance', scopes: ['read', 'request', 'review', 'provision'], what: 'Finance lead: owns the Ledger (provisioned by hand), completes its tasks' },
  { key: 'employee', department: 'Engineering', scopes: ['read', 'request'], what: 'an engineer: asks for access (requestAccess) and follows their tasks' },
] as const;

/** The demo's department heads are the first person of each department; the employee is the second engineer. */
const personaExternalId = (users: readonly { externalId: string; department: Department }[], persona: (typeof PERSONAS)[number]): string => {
  const inDepartment = users.filter((u) => u.department.name === persona.department);
  return (persona.key === 'employee' ? inDepartment[1] : inDepartment[0])!.externalId;
};

/** Creates a token for each persona (a token's secret is shown once, so each start makes new ones). */
export async function personaTokens(app: App, token: string): Promise<{ key: string; what: string; name: string; token: string }[]> {
  const users = demoUsers();
  const out = [];
  for (const persona of PERSONAS) {
    const externalId = personaExternalId(users, persona);
    const user = await call<{ u: { id: string; displayName: string } }>(app, token, 'query($x: String!) { u: userByExternalId(externalId: $x) { id displayName } }', { x: externalId });
    const created = await call<{ t: { token: string } }>(app, token, 'mutation($u: ID!, $n: String!, $s: [String!]!) { t: createApiToken(userId: $u, name: $n, scopes: $s) { token } }', {
      u: user.u.id,
      n: `demo ${persona.key}`,
      s: [...persona.scopes],
    });
    out.push({ key: persona.key, what: persona.what, name: `${user.u.displayName} (${externalId})`, token: created.t.token });
  }
  return out;
}

export async function hasData(app: App, token: string): Promise<boolean> {
  const data = await call<{ users: { totalCount: number } }>(app, token, '{ users(first: 0) { totalCount } }');
  return data.users.totalCount > 0;
}

export async function loadDemoData(app: App, token: string): Promise<{ users: number; grants: number; profiles: number }> {
  const next = random(42);
  const users = demoUsers(next);
  await call(app, token, 'mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }', {
    u: users.map(({ department: _d, ...u }) => u),
  });

  const itHead = users.find((u) => u.department.name === 'IT')!;
  const engHead = users.find((u) => u.department.name === 'Engineering')!;
  const finHead = users.find((u) => u.department.name === 'Finance')!;
  await call(app, token, 'mutation($a: [AppInput!]!) { upsertApps(apps: $a) { created } }', {
    a: APPS.map((a) => ({
      externalId: a.externalId,
      name: a.name,
      provisioning: a.provisioning,
      ownerExternalIds: a.externalId === 'ledger' ? [finHead.externalId] : a.externalId === 'codehost' ? [engHead.externalId, itHead.externalId] : [itHead.externalId],
    })),
  });

  const policies = await call<Record<string, { id: string }>>(
    app,
    token,
    `mutation($security: [ID!]) {
      auto: createPolicy(name: "Auto-approve", steps: []) { id }
      manager: createPolicy(name: "Manager approval", steps: [{ approverType: MANAGER }]) { id }
      owners: createPolicy(name: "App owner approval", steps: [{ approverType: APP_OWNERS }]) { id }
      sensitive: createPolicy(name: "Manager, then security", steps: [{ approverType: MANAGER }, { approverType: USERS, userIds: $security }]) { id }
    }`,
    { security: [await userId(app, token, itHead.externalId)] },
  );
  const sensitive = new Set(['code-admin', 'cloud-admin', 'cloud-deploy', 'ledger-approver', 'idp-admins']);
  await call(app, token, 'mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }', {
    e: APPS.flatMap((a) =>
      a.entitlements.map(([externalId, name]) => ({
        externalId,
        appExternalId: a.externalId,
        name,
        requestPolicyId: sensitive.has(externalId) ? policies.sensitive!.id : a.externalId === 'idp' ? policies.owners!.id : policies.manager!.id,
        revokePolicyId: policies.auto!.id,
      })),
    ),
  });

  // What the source systems say people hold today.
  const grants: { userExternalId: string; entitlementExternalId: string }[] = [];
  const grant = (u: string, e: string) => grants.push({ userExternalId: u, entitlementExternalId: e });
  for (const u of users) {
    grant(u.externalId, u.department.idpGroup);
    grant(u.externalId, 'chat-member');
    if (u.department.name === 'Engineering') {
      grant(u.externalId, 'code-member');
      if (next() < 0.5) grant(u.externalId, 'chat-eng');
      if (next() < 0.3) grant(u.externalId, 'cloud-readonly');
      if (next() < 0.1) grant(u.externalId, 'idp-oncall');
    }
    if (u.department.name === 'Sales' && next() < 0.7) grant(u.externalId, 'crm-user');
    if (u.department.name === 'Support' && next() < 0.8) grant(u.externalId, 'crm-support');
    if (u.department.name === 'Finance') grant(u.externalId, 'ledger-viewer');
  }
  grant(itHead.externalId, 'idp-admins');
  grant(engHead.externalId, 'code-admin');
  await call(app, token, 'mutation($g: [GrantInput!]!) { upsertGrants(grants: $g) { created } }', { g: grants });
  // The IT lead holds the ADMIN role: steps that resolve to nobody (the CEO has no manager) go to them.
  await call(app, token, 'mutation($u: ID!) { setUserRole(userId: $u, role: ADMIN) { id } }', { u: await userId(app, token, itHead.externalId) });

  const entitlementId = async (externalId: string) =>
    (await call<{ e: { id: string } }>(app, token, 'query($x: String!) { e: entitlementByExternalId(externalId: $x) { id } }', { x: externalId })).e.id;
  const profiles = [
    { name: 'Engineering baseline', description: 'Everything an engineer needs on day one', condition: ['idp-engineering'], items: ['code-member', 'chat-eng', 'cloud-readonly'], bypass: true },
    { name: 'Sales toolkit', description: 'CRM and the sales channel', condition: ['idp-sales'], items: ['crm-user', 'chat-sales'], bypass: true },
    { name: 'Support desk', description: 'Support agents', condition: ['idp-support'], items: ['crm-support', 'chat-incidents'], bypass: false },
    { name: 'On-call', description: 'Production access for the on-call rotation', condition: ['idp-oncall'], items: ['cloud-deploy', 'chat-incidents'], bypass: false },
    { name: 'Finance close', description: 'Month-end close (enrolled on request)', condition: [], items: ['ledger-accountant'], bypass: false },
  ];
  for (const p of profiles) {
    const created = await call<{ createAccessProfile: { id: string } }>(
      app,
      token,
      `mutation($input: AccessProfileInput!) { createAccessProfile(input: $input) { id } }`,
      {
        input: {
          name: p.name,
          description: p.description,
          allowEnrollmentRequests: p.condition.length === 0,
          enrollmentPolicyId: p.condition.length === 0 ? policies.manager!.id : policies.auto!.id,
          unenrollmentPolicyId: policies.auto!.id,
          bypassItemRequestPolicies: p.bypass,
          unenrollmentAction: 'REVOKE_UNJUSTIFIED',
        },
      },
    );
    const profileId = created.createAccessProfile.id;
    await call(app, token, 'mutation($p: ID!, $e: [ID!]!) { addProfileItems(profileId: $p, entitlementIds: $e) { id } }', {
      p: profileId,
      e: await Promise.all(p.items.map(entitlementId)),
    });
    if (p.condition.length > 0) {
      await call(app, token, 'mutation($p: ID!, $input: MembershipAutomationInput!) { setMembershipAutomation(profileId: $p, input: $input) { id } }', {
        p: profileId,
        input: { enabled: true, mode: 'SYNC_MEMBERS_AND_ACCESS', conditionEntitlementIds: await Promise.all(p.condition.map(entitlementId)) },
      });
    }
  }
  return { users: users.length, grants: grants.length, profiles: profiles.length };
}

async function userId(app: App, token: string, externalId: string): Promise<string> {
  return (await call<{ u: { id: string } }>(app, token, 'query($x: String!) { u: userByExternalId(externalId: $x) { id } }', { x: externalId })).u.id;
}
