/**
 * The readable columns of the CSV exports: for a report's user, entitlement and profile id columns,
 * what a person reads (external ids, names, emails), appended after the report's own columns and
 * looked up once per page (cypher/analysis/labels-of-ids).
 */
import type { Database } from '../db/database.js';
import { decodeGlobalId } from '../ids.js';

/** What an id column holds: a user, an entitlement or a profile (their readable columns follow the report's own). */
export type LabelKind = 'User' | 'Entitlement' | 'AccessProfile';

/** A report's own columns and the id columns (by header name) to label. */
export interface LabelledReport {
  header: string[];
  labels?: [column: string, kind: LabelKind][];
}

/** The readable columns of one labelled id column: userId -> userExternalId, userDisplayName, userEmail; staleProfileIds -> staleProfileNames. */
export function labelColumns(column: string, kind: LabelKind): string[] {
  const list = column.endsWith('Ids');
  const stem = column.replace(/Ids?$/, '');
  if (list) return [`${stem}Names`];
  if (kind === 'User') return [`${stem}ExternalId`, `${stem}DisplayName`, `${stem}Email`];
  if (kind === 'Entitlement') return [`${stem}ExternalId`, `${stem}Name`];
  return [`${stem}Name`];
}

interface Labels {
  users: { id: string; externalId: string; displayName: string; email: string }[];
  entitlements: { id: string; externalId: string; name: string }[];
  profiles: { id: string; name: string }[];
}

/** The raw id of a cell's global id ('' and foreign ids: none). */
function rawOfCell(cell: unknown, kind: LabelKind): string | null {
  if (typeof cell !== 'string' || cell === '') return null;
  try {
    const { type, id } = decodeGlobalId(cell);
    return type === kind ? id : null;
  } catch {
    return null;
  }
}

/** The page's rows with the readable columns of the report's labelled id columns appended; one statement a page. */
export async function labelled(report: LabelledReport, rows: unknown[][], db: Database): Promise<unknown[][]> {
  const labels = (report.labels ?? []).map(([column, kind]) => ({ column, kind, index: report.header.indexOf(column), list: column.endsWith('Ids') }));
  if (labels.length === 0 || rows.length === 0) return rows;
  const cellsOf = (row: unknown[], index: number): unknown[] => {
    const cell = row[index];
    return Array.isArray(cell) ? cell : [cell];
  };
  const wanted: Record<LabelKind, Set<string>> = { User: new Set(), Entitlement: new Set(), AccessProfile: new Set() };
  for (const row of rows) {
    for (const { kind, index } of labels) {
      for (const cell of cellsOf(row, index)) {
        const id = rawOfCell(cell, kind);
        if (id !== null) wanted[kind].add(id);
      }
    }
  }
  const found = await db.read('export.labels', (tx) =>
    tx.one<Labels>('analysis/labels-of-ids', { userIds: [...wanted.User], entitlementIds: [...wanted.Entitlement], profileIds: [...wanted.AccessProfile] }),
  );
  const users = new Map((found?.users ?? []).map((u) => [u.id, u]));
  const entitlements = new Map((found?.entitlements ?? []).map((e) => [e.id, e]));
  const profiles = new Map((found?.profiles ?? []).map((p) => [p.id, p]));
  return rows.map((row) => [
    ...row,
    ...labels.flatMap(({ kind, index, list }): unknown[] => {
      const ids = cellsOf(row, index).map((cell) => rawOfCell(cell, kind));
      const nameOf = (id: string | null): string =>
        id === null ? '' : ((kind === 'User' ? users.get(id)?.displayName : kind === 'Entitlement' ? entitlements.get(id)?.name : profiles.get(id)?.name) ?? '');
      if (list) return [ids.map(nameOf)];
      const id = ids[0] ?? null;
      if (kind === 'User') {
        const u = id === null ? undefined : users.get(id);
        return [u?.externalId ?? '', u?.displayName ?? '', u?.email ?? ''];
      }
      if (kind === 'Entitlement') {
        const e = id === null ? undefined : entitlements.get(id);
        return [e?.externalId ?? '', e?.name ?? ''];
      }
      return [nameOf(id)];
    }),
  ]);
}
