/** Helpers for the audit trail tests: reading the log through the API. */
import type { TestApp } from './app.js';

export interface AuditEntryView {
  seq: number;
  at: string;
  actorKind: string;
  actorUserId: string | null;
  actorTokenId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  before: any;
  after: any;
  hash: string;
  prevHash: string;
}

const ENTRY = 'seq at actorKind actorUserId actorTokenId action subjectType subjectId before after hash prevHash';

export const AUDIT_LOG = `query($first: Int, $after: String, $action: String, $actorId: ID, $actorKind: AuditActorKind, $subjectType: String,
  $subjectId: ID, $from: DateTime, $to: DateTime) {
  auditLog(first: $first, after: $after, action: $action, actorId: $actorId, actorKind: $actorKind, subjectType: $subjectType,
           subjectId: $subjectId, from: $from, to: $to) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${ENTRY} } }
  }
}`;

function parsed(node: Record<string, any>): AuditEntryView {
  return { ...node, before: node.before === null ? null : JSON.parse(node.before), after: node.after === null ? null : JSON.parse(node.after) } as AuditEntryView;
}

export interface AuditPage {
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
  entries: AuditEntryView[];
}

export async function auditLog(t: TestApp, args: Record<string, unknown> = {}, token?: string): Promise<AuditPage> {
  const body = await t.request<{ auditLog: any }>(AUDIT_LOG, { first: 100, ...args }, token);
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  const log = body.data!.auditLog;
  return { totalCount: log.totalCount, hasNextPage: log.pageInfo.hasNextPage, endCursor: log.pageInfo.endCursor, entries: log.edges.map((e: any) => parsed(e.node)) };
}

/** The newest entry's seq (0 for an empty log). */
export async function headSeq(t: TestApp): Promise<number> {
  return (await auditLog(t, { first: 1 })).entries[0]?.seq ?? 0;
}

/** Entries appended after `seq`, oldest first. */
export async function entriesAfter(t: TestApp, seq: number): Promise<AuditEntryView[]> {
  const page = await auditLog(t, { first: 500 });
  return page.entries.filter((e) => e.seq > seq).reverse();
}

export const VERIFY = `{ verifyAuditLog { ok checked headSeq firstBrokenSeq problem } }`;
