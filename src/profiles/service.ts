/** Access profiles and policies: their settings, items and stored automation. */
import { recordAudit } from '../audit/trail.js';
import type { Viewer } from '../auth/viewer.js';
import type { Database, Tx } from '../db/database.js';
import { badInput, notFound } from '../errors.js';
import { newId, now } from '../ids.js';
import type { ApproverType, AutomationMode, PolicyRecord, ProfileRecord, UnenrollmentAction } from '../directory/records.js';
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

export interface AutomationInput {
  enabled: boolean;
  mode: AutomationMode;
  conditionEntitlementIds: string[];
  excludedUserIds: string[];
  pauseOnAnomalies: boolean;
}

/** A profile's settings as the audit trail records them before and after a change. */
async function settingsOf(tx: Tx, id: string): Promise<Omit<ProfileRecord, 'automationEnabled' | 'automationMode' | 'pauseOnAnomalies'> | null> {
  const [profile] = await directoryReads.profilesById(tx, [id]);
  if (!profile) return null;
  const { automationEnabled: _e, automationMode: _m, pauseOnAnomalies: _p, ...settings } = profile;
  return settings;
}

/** A profile's membership automation as the audit trail records it before and after a change. */
async function automationOf(tx: Tx, id: string) {
  const [profile] = await directoryReads.profilesById(tx, [id]);
  if (!profile) return null;
  const ids = async (name: string) => ((await tx.one<{ ids: string[] }>(name, { profileIds: [id] }))?.ids ?? []).sort();
  return {
    enabled: profile.automationEnabled ?? false,
    mode: profile.automationMode ?? null,
    pauseOnAnomalies: profile.pauseOnAnomalies ?? true,
    conditionEntitlementIds: await ids('profiles/condition-of-profiles'),
    excludedUserIds: await ids('profiles/excluded-of-profiles'),
  };
}

function checkName(name: string): void {
  if (name.trim() === '' || name.length > 200) throw badInput('A name must be 1 to 200 characters');
  if (name.includes('\u0000')) throw badInput('A name cannot contain a NUL character');
}

export class ProfileService {
  constructor(private readonly db: Database) {}

  private async requireExisting(ids: { userIds?: string[]; entitlementIds?: string[]; policyIds?: string[] }): Promise<void> {
    const missing = await this.db.read((tx) =>
      tx.one<{ users: string[]; entitlements: string[]; policies: string[] }>('profiles/missing-ids', {
        userIds: ids.userIds ?? [],
        entitlementIds: ids.entitlementIds ?? [],
        policyIds: ids.policyIds ?? [],
      }),
    );
    const problems = [
      ...(missing?.users ?? []).map((id) => `unknown user ${id}`),
      ...(missing?.entitlements ?? []).map((id) => `unknown entitlement ${id}`),
      ...(missing?.policies ?? []).map((id) => `unknown policy ${id}`),
    ];
    if (problems.length > 0) throw badInput(problems.join('; '));
  }

  async createPolicy(name: string, steps: { approverType: ApproverType; userIds: string[] }[], actor: Viewer | null = null): Promise<PolicyRecord> {
    checkName(name);
    if (steps.length > 10) throw badInput('A policy has at most 10 steps');
    steps.forEach((step, index) => {
      if (step.approverType === 'USERS' && step.userIds.length === 0) throw badInput(`Step ${index + 1} names no approvers`);
    });
    const normalised = steps.map((s) => ({ approverType: s.approverType, userIds: s.approverType === 'USERS' ? [...new Set(s.userIds)] : [] }));
    await this.requireExisting({ userIds: normalised.flatMap((s) => s.userIds) });
    const row = await this.db.write(async (tx) => {
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
    await this.requireExisting({ policyIds: [input.enrollmentPolicyId, input.unenrollmentPolicyId].filter((x): x is string => !!x) });
    const row = await this.db.write(async (tx) => {
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
    await this.requireExisting({ policyIds: [input.enrollmentPolicyId, input.unenrollmentPolicyId].filter((x): x is string => !!x) });
    const changes: Record<string, unknown> = { name: input.name };
    if (input.description !== undefined) changes.description = input.description;
    for (const key of ['allowEnrollmentRequests', 'bypassItemRequestPolicies', 'bypassItemRevokePolicies', 'unenrollmentAction'] as const) {
      if (input[key] !== undefined && input[key] !== null) changes[key] = input[key];
    }
    const row = await this.db.write(async (tx) => {
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
    if (!row) throw notFound('No such access profile');
  }

  async requireProfile(id: string): Promise<void> {
    const found = await this.db.read((tx) => tx.run('profiles/profiles-by-id', { ids: [id] }));
    if (found.length === 0) throw notFound('No such access profile');
  }

  /** Stores the items; returns the ids newly added (the workflow acts on them). */
  async addItems(profileId: string, entitlementIds: string[], actor: Viewer | null = null): Promise<string[]> {
    await this.requireProfile(profileId);
    await this.requireExisting({ entitlementIds });
    const row = await this.db.write(async (tx) => {
      const added = await tx.one<{ added: string[] }>('profiles/add-profile-items', { profileId, entitlementIds });
      if (added && added.added.length > 0) recordAudit(tx, actor, { action: 'PROFILE_ITEMS_ADDED', subjectType: 'AccessProfile', subjectId: profileId, after: { added: added.added } });
      return added;
    });
    return row?.added ?? [];
  }

  async removeItems(profileId: string, entitlementIds: string[], actor: Viewer | null = null): Promise<string[]> {
    await this.requireProfile(profileId);
    const row = await this.db.write(async (tx) => {
      const removed = await tx.one<{ removed: string[] }>('profiles/remove-profile-items', { profileId, entitlementIds });
      if (removed && removed.removed.length > 0) recordAudit(tx, actor, { action: 'PROFILE_ITEMS_REMOVED', subjectType: 'AccessProfile', subjectId: profileId, before: { removed: removed.removed } });
      return removed;
    });
    return row?.removed ?? [];
  }

  /** Stores the automation; returns the exclusion-list changes (the sync acts on them). */
  async setAutomation(profileId: string, input: AutomationInput, actor: Viewer | null = null): Promise<{ excludedAdded: string[]; excludedRemoved: string[] }> {
    await this.requireProfile(profileId);
    const conditionEntitlementIds = [...new Set(input.conditionEntitlementIds)];
    const excludedUserIds = [...new Set(input.excludedUserIds)];
    if (input.enabled && conditionEntitlementIds.length === 0) throw badInput('An enabled automation needs at least one condition entitlement');
    await this.requireExisting({ entitlementIds: conditionEntitlementIds, userIds: excludedUserIds });
    const row = await this.db.write(async (tx) => {
      const before = await automationOf(tx, profileId);
      const saved = await tx.one<{ excludedAdded: string[]; excludedRemoved: string[] }>('profiles/set-automation', {
        profileId,
        enabled: input.enabled,
        mode: input.mode,
        pauseOnAnomalies: input.pauseOnAnomalies,
        conditionEntitlementIds,
        excludedUserIds,
        now: now(),
      });
      if (saved) recordAudit(tx, actor, { action: 'AUTOMATION_SAVED', subjectType: 'AccessProfile', subjectId: profileId, before, after: await automationOf(tx, profileId) });
      return saved;
    });
    return row ?? { excludedAdded: [], excludedRemoved: [] };
  }
}
