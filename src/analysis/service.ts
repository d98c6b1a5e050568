/**
 * The analysts' access graph: why a user holds an entitlement, who holds it, what a proposed
 * automation would do, what a removal would break, and hygiene reports. Read-only: every answer
 * comes from `db.read` in a bounded number of named statements, and writes nothing. The answers'
 * shapes are in src/analysis/records.ts; what-if and blast radius in src/analysis/what-if.ts.
 */
import type { Database } from '../db/database.js';
import type { SettingsService } from '../settings/service.js';
import { badInput, notFound } from '../errors.js';
import { encodeGlobalId } from '../ids.js';
import type {
  AccessExplanation,
  AccessPath,
  AutomationProposal,
  BlastChangeKind,
  BlastRadiusResult,
  DriftedMemberRow,
  EmptyProfileRow,
  HolderRow,
  MissingAccessPage,
  Page,
  ProfileOverlapRow,
  RedundantExclusionRow,
  SourceType,
  UnjustifiedGrantRow,
  WhatIfResult,
} from './records.js';
import * as changes from './what-if.js';

/** The service is the analysis module's entry point: its answers' types and limits are exported here too. */
export type * from './records.js';
export { MAX_LISTED_ROWS } from './what-if.js';

export class AnalysisService {
  constructor(
    private readonly db: Database,
    private readonly settings: SettingsService,
  ) {}

  // ---- why ----------------------------------------------------------------------------------

  async explainAccess(userId: string, entitlementId: string): Promise<AccessExplanation> {
    const row = await this.db.read('analysis.explainAccess', (tx) =>
      tx.one<{
        entitlementKind: string;
        grant: { id: string; grantedAt: string; direct: boolean; enrolledVia: string | null; grantedByTaskId: string | null } | null;
        paths: Omit<AccessPath, 'justifies'>[];
      }>('analysis/explain-access', { userId, entitlementId }),
    );
    if (!row) throw notFound(`No such user or entitlement: ${encodeGlobalId('User', userId)}, ${encodeGlobalId('Entitlement', entitlementId)}`);
    const paths = row.paths.map((p) => ({ ...p, justifies: p.member && p.includesEntitlement }));
    const held = row.grant !== null;
    const direct = row.grant?.direct ?? false;
    return {
      userId,
      entitlementId,
      entitlementKind: row.entitlementKind,
      held,
      grantId: row.grant?.id ?? null,
      grantedAt: row.grant?.grantedAt ?? null,
      grantedByTaskId: row.grant?.grantedByTaskId ?? null,
      direct,
      enrolledVia: row.grant?.enrolledVia ?? null,
      paths,
      unjustified: held && row.entitlementKind === 'STANDARD' && !direct && !paths.some((p) => p.justifies),
    };
  }

  // ---- who ----------------------------------------------------------------------------------

  async holders(entitlementId: string, filter: { sourceType: SourceType | null; profileId: string | null }, after: string | null, limit: number): Promise<Page<HolderRow>> {
    return this.db.read('analysis.holders', async (tx) => {
      const params = { entitlementId, sourceType: filter.sourceType, profileId: filter.profileId };
      const rows = await tx.run<Omit<HolderRow, 'unjustified'>>('analysis/list-holders', { ...params, after, limit });
      const total = (await tx.one<{ total: number }>('analysis/count-holders', params))?.total ?? 0;
      return { rows: rows.map((r) => ({ ...r, unjustified: !r.direct && r.justifyingProfileIds.length === 0 })), total };
    });
  }

  // ---- what-if ------------------------------------------------------------------------------

  /** What a sync with this automation (and these items) would do now, by the sync's rules; saves nothing. */
  whatIf(profileId: string, proposal: AutomationProposal): Promise<WhatIfResult> {
    return changes.whatIf(this.db, this.settings, profileId, proposal);
  }

  // ---- missing access ----------------------------------------------------------------------

  /** The profile's members (among userIds; null = all) lacking some of its items with no open grant task for them: what requestMissingAccess would ask for. */
  missingAccess(profileId: string, userIds: string[] | null, after: string | null, limit: number): Promise<MissingAccessPage> {
    return this.db.read('analysis.missingAccess', (tx) => changes.missingAccessIn(tx, profileId, { userIds, entitlementIds: null }, after, limit));
  }

  // ---- blast radius -------------------------------------------------------------------------

  blastRadius(change: BlastChangeKind, profileId: string, entitlementId: string | null): Promise<BlastRadiusResult> {
    return changes.blastRadius(this.db, this.settings, change, profileId, entitlementId);
  }

  // ---- hygiene reports ----------------------------------------------------------------------

  async unjustifiedGrants(after: string | null, limit: number, withTotal = true): Promise<Page<UnjustifiedGrantRow>> {
    return this.db.read('analysis.unjustifiedGrants', async (tx) => {
      const rows = await tx.run<UnjustifiedGrantRow>('analysis/list-unjustified-grants', { after, limit });
      const total = withTotal ? ((await tx.one<{ total: number }>('analysis/count-unjustified-grants'))?.total ?? 0) : -1;
      return { rows, total };
    });
  }

  private async keyedReport<T>(statement: string, params: Record<string, unknown>): Promise<Page<T>> {
    return this.db.read('analysis.keyedReport', async (tx) => (await tx.one<Page<T>>(statement, params)) ?? { rows: [], total: 0 });
  }

  driftedMembers(after: string | null, limit: number): Promise<Page<DriftedMemberRow>> {
    return this.keyedReport('analysis/list-drifted-members', { after, limit });
  }

  redundantExclusions(after: string | null, limit: number): Promise<Page<RedundantExclusionRow>> {
    return this.keyedReport('analysis/list-redundant-exclusions', { after, limit });
  }

  emptyProfiles(after: string | null, limit: number): Promise<Page<EmptyProfileRow>> {
    return this.keyedReport('analysis/list-empty-profiles', { after, limit });
  }

  overlappingProfiles(skip: number, limit: number, minShared: number): Promise<Page<ProfileOverlapRow>> {
    if (!Number.isInteger(minShared) || minShared < 1) throw badInput('minShared must be a whole number >= 1');
    return this.keyedReport('analysis/list-overlapping-profiles', { skip, limit, minShared });
  }
}
