/**
 * requestMissingAccess: grant tasks for the items members of a profile lack (enrolled under
 * SYNC_MEMBERS_ONLY, an item task denied or failed, the grant removed at the source), for chosen
 * members or all of them, in one write transaction. What "lacking" means is the drifted-members
 * rule (docs/analysis.md): no grant of the item, whatever its sources. Items a member already
 * holds gain the profile as a source, as on enrollment; open tasks for an item are reused (the
 * open key), so asking twice creates nothing new.
 */
import { recordAudit } from '../audit/trail.js';
import type { Viewer } from '../auth/viewer.js';
import { batchesOf } from '../batches.js';
import type { Database, Tx } from '../db/database.js';
import { directoryReads } from '../directory/repository.js';
import { badInput } from '../errors.js';
import { encodeGlobalId, noSuch } from '../ids.js';
import { itemRequests } from '../workflow/items.js';
import type { TaskRecord } from '../workflow/records.js';
import { TASK_BATCH, type TaskService } from '../workflow/tasks.js';

export interface MissingAccessDeps {
  db: Database;
  tasks: TaskService;
}

export class MissingAccessService {
  constructor(private readonly deps: MissingAccessDeps) {}

  /**
   * Grant tasks (origin PROFILE_MISSING_ACCESS, through the profile: its bypassItemRequestPolicies
   * applies) for every item the members lack; `userIds` null = every member. Users who are not
   * members (or do not exist) are BAD_USER_INPUT, named by global id, and nothing is written.
   * Returns the tasks created and the open ones that already covered a request.
   */
  async request(profileId: string, userIds: string[] | null, actor: Viewer | null): Promise<TaskRecord[]> {
    const { db, tasks } = this.deps;
    return db.write('profiles.requestMissingAccess', async (tx) => {
      const [profile] = await directoryReads.profilesById(tx, [profileId]);
      if (!profile) throw noSuch('AccessProfile', profileId);
      const members = userIds === null ? await allMembers(tx, profileId) : await chosenMembers(tx, profile.enrollmentEntitlementId, [...new Set(userIds)]);

      const rows = members.map((userId) => ({ parentId: null, userId, profileId }));
      const missing = await tasks.engine.itemsToGrant(tx, rows, null);
      const requests = itemRequests('GRANT', 'PROFILE_MISSING_ACCESS', missing, profileId, actor, 'Missing access requested for a member of the profile');
      const created = await tasks.createIn(tx, requests);
      // Nothing lacking, or every request open already: nothing changed, nothing recorded.
      if (created.created.length > 0) {
        recordAudit(tx, actor, {
          action: 'MISSING_ACCESS_REQUESTED',
          subjectType: 'AccessProfile',
          subjectId: profileId,
          after: {
            userIds: userIds === null ? null : members,
            membersLacking: new Set(missing.map((r) => r.userId)).size,
            grantTasksCreated: created.created.length,
            openTasksReused: created.existing.length,
          },
        });
      }
      return tasks.byIds(tx, [...created.created, ...created.existing]);
    });
  }
}

async function allMembers(tx: Tx, profileId: string): Promise<string[]> {
  return (await tx.one<{ memberIds: string[] }>('analysis/member-ids', { profileId }))?.memberIds ?? [];
}

/** The users, all of whom must be members: otherwise BAD_USER_INPUT naming the others (before anything is written). */
async function chosenMembers(tx: Tx, enrollmentEntitlementId: string, userIds: string[]): Promise<string[]> {
  const found = new Map<string, boolean>();
  for (const ids of batchesOf(userIds, TASK_BATCH)) {
    for (const s of await tx.run<{ userId: string; holds: boolean }>('profiles/holding-state-of-users', { entitlementId: enrollmentEntitlementId, userIds: ids })) found.set(s.userId, s.holds);
  }
  const unknown = userIds.filter((id) => !found.has(id));
  const notMembers = userIds.filter((id) => found.get(id) === false);
  const problems = [
    ...(unknown.length > 0 ? [`unknown users: ${unknown.map((id) => encodeGlobalId('User', id)).join(', ')}`] : []),
    ...(notMembers.length > 0 ? [`not members of the profile: ${notMembers.map((id) => encodeGlobalId('User', id)).join(', ')}`] : []),
  ];
  if (problems.length > 0) throw badInput(problems.join('; '));
  return userIds;
}
