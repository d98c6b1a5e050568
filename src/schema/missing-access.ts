/**
 * Members who lack their profile's items: the preview (`AccessProfile.missingAccess`, admins and
 * auditors) and the request (`requestMissingAccess`, admins), which asks for exactly what the
 * preview lists (src/profiles/missing-access.ts; the rule is the drifted-members report's).
 */
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import type { MissingAccessPage } from '../analysis/records.js';
import { loadAll } from '../loaders.js';
import { rawIdOf } from '../ids.js';
import { pageOf, toConnection } from './connection.js';
import { AccessProfileRef, EntitlementRef, TaskRef, UserRef } from './refs.js';
import { connectionOf, user } from './analysis-support.js';

interface MissingAccessMemberRow {
  userId: string;
  entitlementIds: string[];
}

/** The preview of one profile: the counts are read once (memoised), each page of members on its own. */
interface MissingAccessPreview {
  profileId: string;
  userIds: string[] | null;
  summary: () => Promise<MissingAccessPage>;
}

const MissingAccessMemberRef = builder.objectRef<MissingAccessMemberRow>('MissingAccessMember').implement({
  description: "A member lacking some of the profile's items, with no open grant task for them",
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (r, _a, c) => user(r.userId, c) }),
    missingItems: t.field({ type: [EntitlementRef], description: 'The items the member lacks', resolve: (r, _a, c) => loadAll(c.loaders.entitlement, r.entitlementIds) }),
  }),
});
const MissingAccessMemberConnection = connectionOf(MissingAccessMemberRef, 'MissingAccessMember');

const MissingAccessRef = builder.objectRef<MissingAccessPreview>('MissingAccess').implement({
  description: 'What requestMissingAccess would ask for now: members lacking items of the profile (no grant of the item, whatever its source, and no open grant task for it)',
  fields: (t) => ({
    memberCount: t.int({ description: 'Members lacking at least one item', resolve: async (x) => (await x.summary()).memberCount }),
    missingCount: t.int({ description: 'Grant tasks requestMissingAccess would create (member-item pairs)', resolve: async (x) => (await x.summary()).missingCount }),
    items: t.field({ type: [EntitlementRef], description: 'The items some member lacks', resolve: async (x, _a, c) => loadAll(c.loaders.entitlement, (await x.summary()).itemIds) }),
    members: t.field({
      type: MissingAccessMemberConnection,
      description: 'The members lacking access, by user id, with what each lacks',
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: async (x, args, c) => {
        const { first, after, limit } = pageOf(args, c);
        const page = await c.services.analysis.missingAccess(x.profileId, x.userIds, after, limit);
        return toConnection(page.rows, first, page.memberCount, (r) => r.userId, after !== null);
      },
    }),
  }),
});

function preview(profileId: string, userIds: string[] | null, context: Context): MissingAccessPreview {
  let summary: Promise<MissingAccessPage> | null = null;
  return { profileId, userIds, summary: () => (summary ??= context.services.analysis.missingAccess(profileId, userIds, null, 0)) };
}

builder.objectFields(AccessProfileRef, (t) => ({
  missingAccess: t.field({
    nullable: true,
    type: MissingAccessRef,
    description: "Members lacking some of the profile's items with no open task for them: what requestMissingAccess would ask for (userIds: only those users; non-members are not listed); admins and auditors only",
    args: { userIds: t.arg.idList() },
    authScopes: { readAll: true },
    resolve: (p, args, context) => preview(p.id, args.userIds ? args.userIds.map((id) => rawIdOf('User', String(id))) : null, context),
  }),
}));

builder.mutationFields((t) => ({
  requestMissingAccess: t.field({
    type: [TaskRef],
    authScopes: { admin: true },
    description:
      "Grant tasks for the items members lack (all members when userIds is left out), under the profile's item policies; users who are not members are BAD_USER_INPUT and nothing is written. Returns the tasks created and the open ones that already covered a request",
    args: { profileId: t.arg.id({ required: true }), userIds: t.arg.idList() },
    resolve: (_root, args, context) =>
      context.services.missingAccess.request(
        rawIdOf('AccessProfile', String(args.profileId)),
        args.userIds ? args.userIds.map((id) => rawIdOf('User', String(id))) : null,
        context.viewer,
      ),
  }),
}));
