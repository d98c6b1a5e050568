/** Access profiles and policies: their settings, items and stored automation. */
import type { Database } from '../db/database.js';
import { badInput, notFound } from '../errors.js';
import { newId, now } from '../ids.js';
import type { ApproverType, AutomationMode, PolicyRecord, UnenrollmentAction } from '../directory/records.js';
import { parsePolicy } from '../directory/repository.js';

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

  async createPolicy(name: string, steps: { approverType: ApproverType; userIds: string[] }[]): Promise<PolicyRecord> {
    checkName(name);
    if (steps.length > 10) throw badInput('A policy has at most 10 steps');
    steps.forEach((step, index) => {
      if (step.approverType === 'USERS' && step.userIds.length === 0) throw badInput(`Step ${index + 1} names no approvers`);
    });
    const normalised = steps.map((s) => ({ approverType: s.approverType, userIds: s.approverType === 'USERS' ? [...new Set(s.userIds)] : [] }));
    await this.requireExisting({ userIds: normalised.flatMap((s) => s.userIds) });
    const row = await this.db.write((tx) =>
      tx.one<{ policy: { id: string; name: string; steps: string } }>('policies/create-policy', {
        id: newId(),
        name,
        steps: JSON.stringify(normalised),
        now: now(),
      }),
    );
    return parsePolicy(row!.policy);
  }

  async createProfile(input: ProfileSettingsInput): Promise<string> {
    checkName(input.name);
    await this.requireExisting({ policyIds: [input.enrollmentPolicyId, input.unenrollmentPolicyId].filter((x): x is string => !!x) });
    const row = await this.db.write((tx) =>
      tx.one<{ id: string }>('profiles/create-profile', {
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
      }),
    );
    return row!.id;
  }

  /** Fields left out (undefined) keep their value; a policy id given as null clears it. */
  async updateProfile(id: string, input: ProfileSettingsInput): Promise<void> {
    checkName(input.name);
    await this.requireExisting({ policyIds: [input.enrollmentPolicyId, input.unenrollmentPolicyId].filter((x): x is string => !!x) });
    const changes: Record<string, unknown> = { name: input.name };
    if (input.description !== undefined) changes.description = input.description;
    for (const key of ['allowEnrollmentRequests', 'bypassItemRequestPolicies', 'bypassItemRevokePolicies', 'unenrollmentAction'] as const) {
      if (input[key] !== undefined && input[key] !== null) changes[key] = input[key];
    }
    const row = await this.db.write((tx) =>
      tx.one('profiles/update-profile', {
        id,
        changes,
        setEnrollmentPolicy: input.enrollmentPolicyId !== undefined,
        enrollmentPolicyId: input.enrollmentPolicyId ?? null,
        setUnenrollmentPolicy: input.unenrollmentPolicyId !== undefined,
        unenrollmentPolicyId: input.unenrollmentPolicyId ?? null,
        now: now(),
      }),
    );
    if (!row) throw notFound('No such access profile');
  }

  async requireProfile(id: string): Promise<void> {
    const found = await this.db.read((tx) => tx.run('profiles/profiles-by-id', { ids: [id] }));
    if (found.length === 0) throw notFound('No such access profile');
  }

  /** Stores the items; returns the ids newly added (the workflow acts on them). */
  async addItems(profileId: string, entitlementIds: string[]): Promise<string[]> {
    await this.requireProfile(profileId);
    await this.requireExisting({ entitlementIds });
    const row = await this.db.write((tx) => tx.one<{ added: string[] }>('profiles/add-profile-items', { profileId, entitlementIds }));
    return row?.added ?? [];
  }

  async removeItems(profileId: string, entitlementIds: string[]): Promise<string[]> {
    await this.requireProfile(profileId);
    const row = await this.db.write((tx) => tx.one<{ removed: string[] }>('profiles/remove-profile-items', { profileId, entitlementIds }));
    return row?.removed ?? [];
  }

  /** Stores the automation; returns the exclusion-list changes (the sync acts on them). */
  async setAutomation(profileId: string, input: AutomationInput): Promise<{ excludedAdded: string[]; excludedRemoved: string[] }> {
    await this.requireProfile(profileId);
    const conditionEntitlementIds = [...new Set(input.conditionEntitlementIds)];
    const excludedUserIds = [...new Set(input.excludedUserIds)];
    if (input.enabled && conditionEntitlementIds.length === 0) throw badInput('An enabled automation needs at least one condition entitlement');
    await this.requireExisting({ entitlementIds: conditionEntitlementIds, userIds: excludedUserIds });
    const row = await this.db.write((tx) =>
      tx.one<{ excludedAdded: string[]; excludedRemoved: string[] }>('profiles/set-automation', {
        profileId,
        enabled: input.enabled,
        mode: input.mode,
        pauseOnAnomalies: input.pauseOnAnomalies,
        conditionEntitlementIds,
        excludedUserIds,
        now: now(),
      }),
    );
    return row ?? { excludedAdded: [], excludedRemoved: [] };
  }
}
