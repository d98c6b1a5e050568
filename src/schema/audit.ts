/**
 * The audit trail for admins and auditors: who changed what, when, with the values before and
 * after; paginated newest first and filterable; and a verification of its hash chain.
 */
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { badInput } from '../errors.js';
import { decodeGlobalId, encodeGlobalId, rawIdOf } from '../ids.js';
import type { AuditVerification } from '../audit/service.js';
import type { AuditEntryRecord } from '../audit/trail.js';
import { decodeCursor, pageOf, toConnection, type ConnectionResult } from './connection.js';
import { UserRef } from './refs.js';

/** Subjects that are Nodes of the API: their ids are shown (and accepted) as global ids. */
const NODE_SUBJECTS = new Set(['User', 'App', 'Entitlement', 'Grant', 'Policy', 'AccessProfile', 'Task', 'SyncRun']);

const AuditActorKind = builder.enumType('AuditActorKind', {
  description: 'Who made a change: a user (through one of their tokens), the bootstrap ADMIN_TOKEN, or the system itself',
  values: ['USER', 'ADMIN_TOKEN', 'SYSTEM'] as const,
});

const AuditProblem = builder.enumType('AuditProblem', {
  description: 'How the audit chain is broken',
  values: {
    HASH_MISMATCH: { description: 'An entry no longer matches its hash: it was edited' },
    CHAIN_BROKEN: { description: "An entry's prevHash is not the hash of the entry before it" },
    MISSING_ENTRY: { description: 'A seq is missing: an entry was deleted' },
    HEAD_MISMATCH: { description: 'The last entry is not the one the chain head records' },
  } as const,
});

const AuditEntryRef = builder.objectRef<AuditEntryRecord>('AuditEntry').implement({
  description: 'One recorded change, hash-chained to the one before it',
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'Position in the chain: consecutive; entries are chained shortly after their change commits, in the order they were recorded' }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    actorKind: t.field({ type: AuditActorKind, resolve: (e) => e.actorKind }),
    actor: t.field({
      type: UserRef,
      nullable: true,
      description: 'The user who made the change (null for the ADMIN_TOKEN and the system, or a user since removed)',
      resolve: (e, _args, context) => (e.actorUserId ? context.loaders.user.load(e.actorUserId) : null),
    }),
    actorUserId: t.id({ nullable: true, resolve: (e) => (e.actorUserId ? encodeGlobalId('User', e.actorUserId) : null) }),
    actorTokenId: t.string({ nullable: true, description: 'The id of the ApiToken used', resolve: (e) => e.actorTokenId }),
    action: t.exposeString('action', { description: 'What was done, e.g. PROFILE_UPDATED, TASK_APPROVED, INGEST_USERS (docs/audit.md lists them)' }),
    subjectType: t.exposeString('subjectType'),
    subjectId: t.id({
      nullable: true,
      description: 'What the change is about: a global id for API nodes, the plain id otherwise (ApiToken, Settings); null for batches',
      resolve: (e) => (e.subjectId === null ? null : NODE_SUBJECTS.has(e.subjectType) ? encodeGlobalId(e.subjectType, e.subjectId) : e.subjectId),
    }),
    before: t.string({ nullable: true, description: 'The values before the change, as JSON', resolve: (e) => e.before }),
    after: t.string({ nullable: true, description: 'The values after the change, as JSON', resolve: (e) => e.after }),
    hash: t.exposeString('hash', { description: 'sha256(prevHash + canonical JSON of the fields above)' }),
    prevHash: t.exposeString('prevHash'),
  }),
});

const AuditEntryConnection = builder.connectionObject({ type: AuditEntryRef, name: 'AuditEntryConnection' }, { name: 'AuditEntryEdge' });

const AuditVerificationRef = builder.objectRef<AuditVerification>('AuditVerification').implement({
  description: 'The audit chain rehashed from its first entry to its head',
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    checked: t.exposeInt('checked', { description: 'Entries whose hash was recomputed and matched' }),
    headSeq: t.exposeInt('headSeq', { description: 'The last seq when the verification started' }),
    firstBrokenSeq: t.int({ nullable: true, resolve: (v) => v.firstBrokenSeq }),
    problem: t.field({ type: AuditProblem, nullable: true, resolve: (v) => v.problem }),
    pending: t.exposeInt('pending', { description: 'Entries committed but not chained yet when the verification ended (normally 0: they are chained within moments)' }),
  }),
});

/** A subject filter: a global id of an API node, or a plain id (ApiToken, Settings). */
function subjectIdOf(value: string): string {
  try {
    const { type, id } = decodeGlobalId(value);
    if (NODE_SUBJECTS.has(type)) return id;
  } catch {
    // not a global id: a plain one
  }
  return value;
}

function checkInstant(name: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (Number.isNaN(Date.parse(value))) throw badInput(`${name} must be an ISO-8601 date-time`);
  return new Date(value).toISOString();
}

builder.queryFields((t) => ({
  auditLog: t.field({
    type: AuditEntryConnection,
    description: 'The audit trail, newest first; filters combine (admins and auditors)',
    authScopes: { readAll: true },
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      action: t.arg.string(),
      actorId: t.arg.id({ description: 'Changes made by this user' }),
      actorKind: t.arg({ type: AuditActorKind }),
      subjectType: t.arg.string(),
      subjectId: t.arg.id({ description: 'Changes about this object' }),
      from: t.arg({ type: 'DateTime', description: 'At or after this instant' }),
      to: t.arg({ type: 'DateTime', description: 'Before this instant' }),
    },
    resolve: async (_root, args, context: Context) => {
      const { first, limit } = pageOf({ first: args.first }, context);
      const cursor = decodeCursor(args.after);
      const beforeSeq = cursor === null ? null : Number(cursor);
      if (beforeSeq !== null && !Number.isSafeInteger(beforeSeq)) throw badInput('Invalid cursor');
      const { entries, total } = await context.services.audit.list(
        {
          action: args.action ?? null,
          actorUserId: args.actorId ? rawIdOf('User', String(args.actorId)) : null,
          actorKind: args.actorKind ?? null,
          subjectType: args.subjectType ?? null,
          subjectId: args.subjectId ? subjectIdOf(String(args.subjectId)) : null,
          from: checkInstant('from', args.from),
          to: checkInstant('to', args.to),
        },
        beforeSeq,
        limit,
      );
      return toConnection(entries, first, total, (e) => String(e.seq), cursor !== null) as unknown as ConnectionResult<AuditEntryRecord>;
    },
  }),
  verifyAuditLog: t.field({
    type: AuditVerificationRef,
    description: 'Recomputes the whole hash chain: detects an edited or deleted entry (admins and auditors)',
    authScopes: { readAll: true },
    resolve: (_root, _args, context) => context.services.audit.verify(),
  }),
}));
