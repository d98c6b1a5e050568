/**
 * Access profiles and policies: their settings, and a profile's items with what their change
 * means for its members (one transaction each). Membership itself is membership.ts.
 */
import { recordAudit } from '../audit/trail.js';
import type { Viewer } from '../auth/viewer.js';
import type { Database, Tx } from '../db/database.js';
import { badInput } from '../errors.js';
import { itemsAddedIn, itemsRemovedIn } from '../workflow/items.js';
import type { TaskService } from '../workflow/tasks.js';
import { requireExisting, requireProfile } from './existing.js';
import { newId, noSuch, now } from '../ids.js';
import type { ApproverType, PolicyRecord, ProfileRecord, UnenrollmentAction } from '../directory/records.js';
import { directoryReads, parsePolicy } from '../directory/repository.js';

export interface ProfileSettingsInput {
  name: string;
  description?: string | null;
  allowEnrollmentRequests?: boolean | null;
  enrollmentPolicyId?: string | null;
  unenrollmentPolicyId?: string | null;
  bypassItemRequestPolicies?: boolean | null;
  bypassItemRevokePolicies?: boolean | null;
  unenrollmentAction?: UnenrollmentAction | null;
}

/** A profile's settings as the audit trail records them before and after a change. */
async function settingsOf(tx: Tx, id: string): Promise<Omit<ProfileRecord, 'automationEnabled' | 'automationMode' | 'pauseOnAnomalies'> | null> {
  const [profile] = await directoryReads.profilesById(tx, [id]);
  if (!profile) return null;
  const { automationEnabled: _e, automationMode: _m, pauseOnAnomalies: _p, ...settings } = profile;
  return settings;
}

function checkName(name: string): void {
  if (name.trim() === '' || name.length > 200) throw badInput('A name must be 1 to 200 characters');
  if (name.includes('\u0000')) throw badInput('A name cannot contain a NUL character');
}

export class ProfileService {
  constructor(
    private readonly db: Database,
    private readonly tasks: TaskService,
  ) {}

  async createPolicy(name: string, steps: { approverType: ApproverType; userIds: string[] }[], actor: Viewer | null = null): Promise<PolicyRecord> {
    checkName(name);
    if (steps.length > 10) throw badInput('A policy has at most 10 steps');
    steps.forEach((step, index) => {
      if (step.approverType === 'USERS' && step.userIds.length === 0) throw badInput(`Step ${index + 1} names no approvers`);
    });
    const normalised = steps.map((s) => ({ approverType: s.approverType, userIds: s.approverType === 'USERS' ? [...new Set(s.userIds)] : [] }));
    await requireExisting(this.db, { userIds: normalised.flatMap((s) => s.userIds) });
    const row = await this.db.write('profiles.createPolicy', async (tx) => {
      const created = await tx.one<{ policy: { id: string; name: string; steps: string } }>('policies/create-policy', {
        id: newId(),
        name,
        steps: JSON.stringify(normalised),
        now: now(),
      });
      recordAudit(tx, actor, { action: 'POLICY_CREATED', subjectType: 'Policy', subjectId: created!.policy.id, after: { name, steps: normalised } });
      return created;
    });
    return parsePolicy(row!.policy);
  }

  async createProfile(input: ProfileSettingsInput, actor: Viewer | null = null): Promise<string> {
    checkName(input.name);
    await requireExisting(this.db, { policyIds: [input.enrollmentPolicyId, input.unenrollmentPolicyId].filter((x): x is string => !!x) });
    const row = await this.db.write('profiles.createProfile', async (tx) => {
      const created = await tx.one<{ id: string }>('profiles/create-profile', {
        profile: {
          id: newId(),
          name: input.name,
          description: input.description ?? null,
          allowEnrollmentRequests: input.allowEnrollmentRequests ?? false,
          bypassItemRequestPolicies: input.bypassItemRequestPolicies ?? false,
          bypassItemRevokePolicies: input.bypassItemRevokePolicies ?? false,
          unenrollmentAction: input.unenrollmentAction ?? 'REVOKE_UNJUSTIFIED',
          enrollmentPolicyId: input.enrollmentPolicyId ?? null,
          unenrollmentPolicyId: input.unenrollmentPolicyId ?? null,
        },
        enrollmentEntitlementId: newId(),
        exclusionEntitlementId: newId(),
        now: now(),
      });
      recordAudit(tx, actor, { action: 'PROFILE_CREATED', subjectType: 'AccessProfile', subjectId: created!.id, after: await settingsOf(tx, created!.id) });
      return created;
    });
    return row!.id;
  }

  /** Fields left out (undefined) keep their value; a policy id given as null clears it. */
  async updateProfile(id: string, input: ProfileSettingsInput, actor: Viewer | null = null): Promise<void> {
    checkName(input.name);
    await requireExisting(this.db, { policyIds: [input.enrollmentPolicyId, input.unenrollmentPolicyId].filter((x): x is string => !!x) });
    const changes: Record<string, unknown> = { name: input.name };
    if (input.description !== undefined) changes.description = input.description;
    for (const key of ['allowEnrollmentRequests', 'bypassItemRequestPolicies', 'bypassItemRevokePolicies', 'unenrollmentAction'] as const) {
      if (input[key] !== undefined && input[key] !== null) changes[key] = input[key];
    }
    const row = await this.db.write('profiles.updateProfile', async (tx) => {
      const before = await settingsOf(tx, id);
      const updated = await tx.one('profiles/update-profile', {
        id,
        changes,
        setEnrollmentPolicy: input.enrollmentPolicyId !== undefined,
        enrollmentPolicyId: input.enrollmentPolicyId ?? null,
        setUnenrollmentPolicy: input.unenrollmentPolicyId !== undefined,
        unenrollmentPolicyId: input.unenrollmentPolicyId ?? null,
        now: now(),
      });
      if (updated) recordAudit(tx, actor, { action: 'PROFILE_UPDATED', subjectType: 'AccessProfile', subjectId: id, before, after: await settingsOf(tx, id) });
      return updated;
    });
    if (!row) throw noSuch('AccessProfile', id);
  }

  /** addProfileItems: stores the items and (`requestForMembers`) creates the current members' grant tasks, in one transaction. */
  async addItems(profileId: string, entitlementIds: string[], requestForMembers: boolean, actor: Viewer | null = null): Promise<void> {
    await requireProfile(this.db, profileId);
    await requireExisting(this.db, { entitlementIds });
    await this.db.write('profiles.addItems', async (tx) => {
      const added = (await tx.one<{ added: string[] }>('profiles/add-profile-items', { profileId, entitlementIds }))?.added ?? [];
      if (added.length === 0) return;
      recordAudit(tx, actor, { action: 'PROFILE_ITEMS_ADDED', subjectType: 'AccessProfile', subjectId: profileId, after: { added } });
      tx.unit.profileNeedsSync(profileId);
      if (requestForMembers) await itemsAddedIn(tx, this.tasks, profileId, added, actor);
    });
  }

  /** removeProfileItems: removes the items and applies the profile's unenrollment action to them for its members, in one transaction. */
  async removeItems(profileId: string, entitlementIds: string[], actor: Viewer | null = null): Promise<void> {
    await requireProfile(this.db, profileId);
    await this.db.write('profiles.removeItems', async (tx) => {
      const removed = (await tx.one<{ removed: string[] }>('profiles/remove-profile-items', { profileId, entitlementIds }))?.removed ?? [];
      if (removed.length === 0) return;
      recordAudit(tx, actor, { action: 'PROFILE_ITEMS_REMOVED', subjectType: 'AccessProfile', subjectId: profileId, before: { removed } });
      tx.unit.profileNeedsSync(profileId);
      await itemsRemovedIn(tx, this.tasks, profileId, removed, actor);
    });
  }
}
