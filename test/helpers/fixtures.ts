/** Small organisations built through the API, as a partner would. */
import type { TestApp } from './app.js';

export async function ingestOrg(t: TestApp, users: number, apps: { externalId: string; name: string; provisioning?: string; owners?: string[]; entitlements: string[] }[]) {
  await t.admin(`mutation($u: [UserInput!]!) { upsertUsers(users: $u) { created } }`, {
    u: Array.from({ length: users }, (_, i) => ({
      externalId: `u${i}`,
      email: `u${i}@example.com`,
      displayName: `User ${i}`,
      managerExternalId: i === 0 ? null : 'u0',
    })),
  });
  await t.admin(`mutation($a: [AppInput!]!) { upsertApps(apps: $a) { created } }`, {
    a: apps.map((a) => ({ externalId: a.externalId, name: a.name, provisioning: a.provisioning ?? 'AUTOMATIC', ownerExternalIds: a.owners ?? [] })),
  });
  await t.admin(`mutation($e: [EntitlementInput!]!) { upsertEntitlements(entitlements: $e) { created } }`, {
    e: apps.flatMap((a) => a.entitlements.map((e) => ({ externalId: e, appExternalId: a.externalId, name: e }))),
  });
}

export async function idOf(t: TestApp, kind: 'user' | 'app' | 'entitlement', externalId: string): Promise<string> {
  const field = { user: 'userByExternalId', app: 'appByExternalId', entitlement: 'entitlementByExternalId' }[kind];
  const data = await t.admin<Record<string, { id: string } | null>>(`query($x: String!) { r: ${field}(externalId: $x) { id } }`, { x: externalId });
  if (!data.r) throw new Error(`no ${kind} ${externalId}`);
  return data.r.id;
}

export async function tokenFor(t: TestApp, userId: string, scopes: string[], role?: 'ADMIN' | 'AUDITOR' | 'USER'): Promise<string> {
  if (role) await t.admin(`mutation($u: ID!, $r: Role!) { setUserRole(userId: $u, role: $r) { id } }`, { u: userId, r: role });
  const data = await t.admin<{ createApiToken: { token: string } }>(
    `mutation($u: ID!, $s: [String!]!) { createApiToken(userId: $u, name: "test", scopes: $s) { token } }`,
    { u: userId, s: scopes },
  );
  return data.createApiToken.token;
}
