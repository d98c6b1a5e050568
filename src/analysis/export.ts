/**
 * CSV exports for auditors: `GET /export/<report>.csv?...` with the same Bearer token as the API,
 * admins and auditors only. Paged reports are streamed page by page (keyset pages of
 * EXPORT_PAGE_SIZE rows, at most EXPORT_MAX_ROWS rows); what-if and blast radius write their
 * bounded lists. Ids in the files are the API's global ids; after a report's own columns come, for
 * its user, entitlement and profile columns, what a person reads (external ids, names, emails),
 * looked up once per page (cypher/analysis/labels-of-ids).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { canReadAll } from '../auth/viewer.js';
import { badInput } from '../errors.js';
import { sendAppError, sendError } from './export-http.js';
import type { Database } from '../db/database.js';
import { encodeGlobalId, rawIdOf } from '../ids.js';
import type { AuthService } from '../auth/tokens.js';
import type { Logger } from '../logger.js';
import type { ViewerRateLimits } from '../security/rate-limit.js';
import { labelColumns, labelled, type LabelKind } from './export-labels.js';

/** What the export route uses. */
export interface ExportDeps {
  db: Database;
  auth: Pick<AuthService, 'authenticate'>;
  analysis: AnalysisService;
  logger: Logger;
  rateLimits: ViewerRateLimits;
}
import type { AnalysisService, BlastChangeKind, Page, SourceType } from './service.js';
import type { AutomationMode, UnenrollmentAction } from '../directory/records.js';

export const EXPORT_PAGE_SIZE = 2_000;
export const EXPORT_MAX_ROWS = 1_000_000;

const g = (type: string, id: string | null | undefined): string => (id ? encodeGlobalId(type, id) : '');

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = Array.isArray(value) ? value.join(';') : String(value);
  // A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (cells: unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

type Params = URLSearchParams;
type Row = unknown[];
/** A paged report: given the cursor after the last row, one page and the next cursor (null: done). */
type Pager = (after: string | null) => Promise<{ rows: Row[]; next: string | null }>;

interface Report {
  header: string[];
  pager: (params: Params, services: ExportDeps) => Pager;
  /** The id columns (by header name) to label, in the order their readable columns are appended. */
  labels?: [column: string, kind: LabelKind][];
}

const headerOf = (report: Report): string[] => [...report.header, ...(report.labels ?? []).flatMap(([column, kind]) => labelColumns(column, kind))];

function idParam(params: Params, name: string, type: string, required: true): string;
function idParam(params: Params, name: string, type: string, required: false): string | null;
function idParam(params: Params, name: string, type: string, required: boolean): string | null {
  const value = params.get(name);
  if (value === null || value === '') {
    if (required) throw badInput(`${name} is required`);
    return null;
  }
  return rawIdOf(type, value);
}

function idListParam(params: Params, name: string, type: string): string[] | null {
  if (!params.has(name)) return null;
  const value = params.get(name) ?? '';
  return value === '' ? [] : value.split(',').map((id) => rawIdOf(type, id.trim()));
}

function enumParam<T extends string>(params: Params, name: string, values: readonly T[]): T | null {
  const value = params.get(name);
  if (value === null || value === '') return null;
  if (!(values as readonly string[]).includes(value)) throw badInput(`${name} must be one of ${values.join(', ')}`);
  return value as T;
}

/** Keyset pages for reports whose cursor is the last row's key. */
function keyed<T>(read: (after: string | null, limit: number) => Promise<Page<T>>, keyOf: (row: T) => string, toRow: (row: T) => Row): Pager {
  return async (after) => {
    const page = await read(after, EXPORT_PAGE_SIZE);
    return { rows: page.rows.map(toRow), next: page.rows.length === EXPORT_PAGE_SIZE ? keyOf(page.rows.at(-1)!) : null };
  };
}

/** A report computed whole (bounded by MAX_LISTED_ROWS): one page. */
function whole(read: () => Promise<Row[]>): Pager {
  return async () => ({ rows: await read(), next: null });
}

const REPORTS: Record<string, Report> = {
  why: {
    header: ['userId', 'entitlementId', 'held', 'grantId', 'direct', 'unjustified', 'grantedByTaskId', 'profileId', 'recordedSource', 'includesEntitlement', 'member', 'enrolledVia', 'enrollmentTaskId', 'heldConditionIds', 'excluded', 'justifies'],
    labels: [['userId', 'User'], ['entitlementId', 'Entitlement'], ['profileId', 'AccessProfile']],
    pager: (params, services) =>
      whole(async () => {
        const x = await services.analysis.explainAccess(idParam(params, 'userId', 'User', true), idParam(params, 'entitlementId', 'Entitlement', true));
        const base = [g('User', x.userId), g('Entitlement', x.entitlementId), x.held, g('Grant', x.grantId), x.direct, x.unjustified, g('Task', x.grantedByTaskId)];
        if (x.paths.length === 0) return [[...base, '', '', '', '', '', '', '', '', '']];
        return x.paths.map((p) => [
          ...base,
          g('AccessProfile', p.profileId),
          p.recordedSource,
          p.includesEntitlement,
          p.member,
          p.enrolledVia,
          g('Task', p.enrollmentTaskId),
          p.heldConditionIds.map((id) => g('Entitlement', id)),
          p.excluded,
          p.justifies,
        ]);
      }),
  },
  holders: {
    header: ['grantId', 'userId', 'grantedAt', 'direct', 'sourceProfileIds', 'justifyingProfileIds', 'unjustified'],
    labels: [['userId', 'User'], ['sourceProfileIds', 'AccessProfile'], ['justifyingProfileIds', 'AccessProfile']],
    pager: (params, services) => {
      const entitlementId = idParam(params, 'entitlementId', 'Entitlement', true);
      const filter = { sourceType: enumParam<SourceType>(params, 'sourceType', ['DIRECT', 'PROFILE']), profileId: idParam(params, 'profileId', 'AccessProfile', false) };
      return keyed(
        (after, limit) => services.analysis.holders(entitlementId, filter, after, limit),
        (r) => r.grantId,
        (r) => [g('Grant', r.grantId), g('User', r.userId), r.grantedAt, r.direct, r.sourceProfileIds.map((id) => g('AccessProfile', id)), r.justifyingProfileIds.map((id) => g('AccessProfile', id)), r.unjustified],
      );
    },
  },
  'what-if': {
    header: ['kind', 'origin', 'userId', 'entitlementId', 'wouldPause'],
    labels: [['userId', 'User'], ['entitlementId', 'Entitlement']],
    pager: (params, services) =>
      whole(async () => {
        const x = await services.analysis.whatIf(idParam(params, 'profileId', 'AccessProfile', true), {
          // A parameter left out keeps the saved value (undefined), as the GraphQL what-if does.
          conditionIds: idListParam(params, 'conditionEntitlementIds', 'Entitlement') ?? undefined,
          excludedIds: idListParam(params, 'excludedUserIds', 'User') ?? undefined,
          itemIds: idListParam(params, 'itemEntitlementIds', 'Entitlement') ?? undefined,
          unenrollmentAction: enumParam<UnenrollmentAction>(params, 'unenrollmentAction', ['LEAVE_AS_IS', 'REVOKE_ALL', 'REVOKE_UNJUSTIFIED']) ?? undefined,
          mode: enumParam<AutomationMode>(params, 'mode', ['SYNC_MEMBERS_ONLY', 'SYNC_MEMBERS_AND_ACCESS']) ?? undefined,
        });
        const en = g('Entitlement', x.enrollmentEntitlementId);
        return [
          ...x.toEnroll.map((u) => ['ENROLL', 'SYNC', g('User', u), en, x.wouldPause]),
          ...x.toUnenroll.map((u) => ['UNENROLL', 'SYNC', g('User', u), en, x.wouldPause]),
          ...[...x.grantTasks, ...x.revokeTasks].map((t) => [t.kind, t.origin, g('User', t.userId), g('Entitlement', t.entitlementId), x.wouldPause]),
        ];
      }),
  },
  'blast-radius': {
    header: ['kind', 'userId', 'entitlementId', 'profileId'],
    labels: [['userId', 'User'], ['entitlementId', 'Entitlement'], ['profileId', 'AccessProfile']],
    pager: (params, services) =>
      whole(async () => {
        const change = enumParam<BlastChangeKind>(params, 'change', ['REMOVE_ITEM', 'REMOVE_CONDITION', 'DISABLE_PROFILE']);
        if (change === null) throw badInput('change is required');
        const x = await services.analysis.blastRadius(change, idParam(params, 'profileId', 'AccessProfile', true), idParam(params, 'entitlementId', 'Entitlement', false));
        return x.losses.map((l) => [l.kind, g('User', l.userId), g('Entitlement', l.entitlementId), g('AccessProfile', l.profileId)]);
      }),
  },
  'unjustified-grants': {
    header: ['grantId', 'userId', 'entitlementId', 'grantedAt', 'staleProfileIds'],
    labels: [['userId', 'User'], ['entitlementId', 'Entitlement'], ['staleProfileIds', 'AccessProfile']],
    pager: (_params, services) =>
      keyed(
        (after, limit) => services.analysis.unjustifiedGrants(after, limit, false),
        (r) => r.grantId,
        (r) => [g('Grant', r.grantId), g('User', r.userId), g('Entitlement', r.entitlementId), r.grantedAt, r.staleProfileIds.map((id) => g('AccessProfile', id))],
      ),
  },
  'drifted-members': {
    header: ['profileId', 'userId', 'excluded', 'automationEnabled', 'pendingUnenrollmentTaskId', 'kinds', 'missingItemIds'],
    labels: [['profileId', 'AccessProfile'], ['userId', 'User'], ['missingItemIds', 'Entitlement']],
    pager: (_params, services) =>
      keyed(
        (after, limit) => services.analysis.driftedMembers(after, limit),
        (r) => r.key,
        (r) => [
          g('AccessProfile', r.profileId),
          g('User', r.userId),
          r.excluded,
          r.automationEnabled,
          g('Task', r.pendingUnenrollmentTaskId),
          [...(r.noLongerMatches ? ['NO_LONGER_MATCHES'] : []), ...(r.missingItemIds.length > 0 ? ['MISSING_ACCESS'] : [])],
          r.missingItemIds.map((id) => g('Entitlement', id)),
        ],
      ),
  },
  'redundant-exclusions': {
    header: ['profileId', 'userId', 'member'],
    labels: [['profileId', 'AccessProfile'], ['userId', 'User']],
    pager: (_params, services) =>
      keyed(
        (after, limit) => services.analysis.redundantExclusions(after, limit),
        (r) => r.key,
        (r) => [g('AccessProfile', r.profileId), g('User', r.userId), r.member],
      ),
  },
  'empty-profiles': {
    header: ['profileId', 'itemCount', 'pendingEnrollments'],
    labels: [['profileId', 'AccessProfile']],
    pager: (_params, services) =>
      keyed(
        (after, limit) => services.analysis.emptyProfiles(after, limit),
        (r) => r.profileId,
        (r) => [g('AccessProfile', r.profileId), r.itemCount, r.pendingEnrollments],
      ),
  },
  'overlapping-profiles': {
    header: ['profileId', 'otherProfileId', 'shared', 'itemCount', 'otherItemCount', 'similarity'],
    labels: [['profileId', 'AccessProfile'], ['otherProfileId', 'AccessProfile']],
    pager: (params, services) => {
      const minShared = Number(params.get('minShared') ?? 1);
      if (!Number.isSafeInteger(minShared) || minShared < 0 || minShared > 2 ** 31 - 1) throw badInput('minShared must be a whole number from 0 to 2147483647');
      return async (after) => {
        const skip = after === null ? 0 : Number(after);
        const page = await services.analysis.overlappingProfiles(skip, EXPORT_PAGE_SIZE, minShared);
        return {
          rows: page.rows.map((r) => [g('AccessProfile', r.profileId), g('AccessProfile', r.otherProfileId), r.shared, r.itemCount, r.otherItemCount, r.similarity.toFixed(4)]),
          next: skip + page.rows.length < page.total ? String(skip + page.rows.length) : null,
        };
      };
    },
  },
};

export const EXPORT_REPORTS = Object.keys(REPORTS);

/** The HTTP route: answers true for every /export/ path, false for anything else. */
export async function exportRoute(req: IncomingMessage, res: ServerResponse, services: ExportDeps): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const match = /^\/export\/([a-z-]+)\.csv$/.exec(url.pathname);
  if (!url.pathname.startsWith('/export/')) return false;
  if (req.method !== 'GET') {
    sendError(res, 405, 'BAD_USER_INPUT', 'Exports answer GET only');
    return true;
  }
  let viewer;
  try {
    viewer = await services.auth.authenticate(req.headers.authorization);
  } catch (error) {
    sendAppError(res, error, services.logger);
    return true;
  }
  // The same buckets as GraphQL operations: an export takes one from the token's (or, without a valid token, the address's).
  const admission = services.rateLimits.take(viewer, req.socket.remoteAddress);
  if (!admission.allowed) {
    services.logger.warn('rate limited', { tokenId: viewer?.tokenId ?? null, route: 'export' });
    sendError(res, 429, 'RATE_LIMITED', `Too many requests; retry in ${admission.retryAfterSeconds} s`, { retryAfterSeconds: admission.retryAfterSeconds });
    return true;
  }
  if (viewer === null) {
    sendError(res, 401, 'UNAUTHENTICATED', 'Authentication required');
    return true;
  }
  if (!canReadAll(viewer)) {
    sendError(res, 403, 'FORBIDDEN', 'Exports are for admins and auditors');
    return true;
  }
  const report = match ? REPORTS[match[1]!] : undefined;
  if (!report) {
    sendError(res, 404, 'NOT_FOUND', `No such export; reports: ${EXPORT_REPORTS.join(', ')}`);
    return true;
  }
  let started = false;
  try {
    const pager = report.pager(url.searchParams, services);
    // The first page is read before the headers go out, so bad input still gets a clean 400.
    let page = await pager(null);
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${match![1]}.csv"`, 'cache-control': 'no-store' });
    started = true;
    res.write(csvLine(headerOf(report)));
    let written = 0;
    for (;;) {
      const rows = await labelled(report, page.rows.slice(0, EXPORT_MAX_ROWS - written), services.db);
      if (rows.length > 0 && !res.write(rows.map(csvLine).join(''))) await new Promise((resolve) => res.once('drain', resolve));
      written += rows.length;
      if (page.next === null || written >= EXPORT_MAX_ROWS || res.destroyed) break;
      page = await pager(page.next);
    }
    res.end();
  } catch (error) {
    if (started) {
      services.logger.error('export failed midway', { report: match![1], message: (error as Error).message });
      res.destroy();
    } else {
      sendAppError(res, error, services.logger);
    }
  }
  return true;
}
