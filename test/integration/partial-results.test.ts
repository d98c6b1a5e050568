/**
 * A field the viewer may not read is null with its own error; the rest of the answer stands. A
 * user listing the catalogue with a restricted field in the selection still gets the catalogue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { createProfile } from '../helpers/sync-seed.js';

let t: TestApp;
let userToken: string;

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  await ingestOrg(t, 3, [{ externalId: 'crm', name: 'CRM', entitlements: ['crm-user'] }]);
  await createProfile(t, 'Sales');
  await createProfile(t, 'Support');
  userToken = await tokenFor(t, await idOf(t, 'user', 'u1'), ['read', 'request']);
});
afterAll(async () => t?.stop());

describe('a restricted field in a selection', () => {
  it('is null with its own FORBIDDEN error, per item; the other fields and items stand', async () => {
    const body = await t.request<any>(`{ accessProfiles { totalCount edges { node { name members { totalCount } } } } }`, {}, userToken);
    expect(body.data.accessProfiles.totalCount).toBe(2);
    expect(body.data.accessProfiles.edges.map((e: any) => e.node).sort((a: any, b: any) => a.name.localeCompare(b.name))).toEqual([
      { name: 'Sales', members: null },
      { name: 'Support', members: null },
    ]);
    expect(body.errors).toHaveLength(2);
    for (const error of body.errors!) {
      expect(error.extensions?.code).toBe('FORBIDDEN');
      expect(error.path?.at(-1)).toBe('members');
    }
  });

  it("holds for another user's role and grants beside their name", async () => {
    const body = await t.request<any>(`{ userByExternalId(externalId: "u2") { displayName role grants { totalCount } } }`, {}, userToken);
    expect(body.data.userByExternalId).toEqual({ displayName: 'User 2', role: null, grants: null });
    expect(body.errors?.map((e) => [e.extensions?.code, e.path?.at(-1)]).sort()).toEqual([
      ['FORBIDDEN', 'grants'],
      ['FORBIDDEN', 'role'],
    ]);
  });

  it('an admin reads them all', async () => {
    const body = await t.request<any>(`{ accessProfiles { edges { node { members { totalCount } } } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.accessProfiles.edges.map((e: any) => e.node.members.totalCount)).toEqual([0, 0]);
  });
});
