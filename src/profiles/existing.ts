/** The checks that the ids a change names exist, before it writes (BAD_INPUT / NOT_FOUND, nothing written). */
import type { Database } from '../db/database.js';
import { badInput } from '../errors.js';
import { encodeGlobalId, noSuch } from '../ids.js';

/** BAD_INPUT naming every unknown user, entitlement and policy among the ids. */
export async function requireExisting(db: Database, ids: { userIds?: string[]; entitlementIds?: string[]; policyIds?: string[] }): Promise<void> {
  const missing = await db.read('profiles.requireExisting', (tx) =>
    tx.one<{ users: string[]; entitlements: string[]; policies: string[] }>('profiles/missing-ids', {
      userIds: ids.userIds ?? [],
      entitlementIds: ids.entitlementIds ?? [],
      policyIds: ids.policyIds ?? [],
    }),
  );
  const problems = [
    ...(missing?.users ?? []).map((id) => `unknown user ${encodeGlobalId('User', id)}`),
    ...(missing?.entitlements ?? []).map((id) => `unknown entitlement ${encodeGlobalId('Entitlement', id)}`),
    ...(missing?.policies ?? []).map((id) => `unknown policy ${encodeGlobalId('Policy', id)}`),
  ];
  if (problems.length > 0) throw badInput(problems.join('; '));
}

/** NOT_FOUND unless the profile exists. */
export async function requireProfile(db: Database, id: string): Promise<void> {
  const found = await db.read('profiles.requireProfile', (tx) => tx.run('profiles/profiles-by-id', { ids: [id] }));
  if (found.length === 0) throw noSuch('AccessProfile', id);
}
