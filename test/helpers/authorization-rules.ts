/**
 * THE table of who may do what (issue 7, item 2): the expected outcome of every Query, Mutation
 * and Subscription field of the printed schema, of the sensitive object fields, and of the
 * catalogue types' fields, for each kind of viewer. test/integration/authorization.test.ts walks
 * the printed schema and fails when a field has no entry here, so a new field without a rule
 * fails the suite. docs/authorization.md explains the rules in prose.
 */

/** The viewers every rule is checked for. */
export const VIEWERS = [
  'anonymous', // no token
  'adminToken', // the bootstrap ADMIN_TOKEN (an admin that is no user)
  'adminAll', // an ADMIN user, every scope
  'adminRead', // an ADMIN user, only `read`
  'auditorRead', // an AUDITOR, `read`
  'auditorAll', // an AUDITOR whose token carries every scope (scopes never widen a role)
  'userFull', // a USER, `read request review provision`
  'userNoRead', // a USER, `request review provision` (no read)
  'userRequestOnly', // a USER, only `request` (a self-service portal's token)
  'ingestOnly', // a USER service account, only `ingest`
] as const;
export type ViewerKey = (typeof VIEWERS)[number];

/** A rule: the viewers allowed; every other viewer is refused (UNAUTHENTICATED without a token, FORBIDDEN otherwise). */
export interface Rule {
  name: string;
  allowed: readonly ViewerKey[];
}

const rule = (name: string, allowed: readonly ViewerKey[]): Rule => ({ name, allowed });
const AUTHENTICATED_VIEWERS = VIEWERS.filter((v) => v !== 'anonymous');
const READERS_OF_ALL: ViewerKey[] = ['adminToken', 'adminAll', 'adminRead', 'auditorRead', 'auditorAll'];

export const RULES = {
  /** Any valid token: the catalogue (users' names, apps, entitlements, profiles, policies). */
  AUTHENTICATED: rule('AUTHENTICATED', AUTHENTICATED_VIEWERS),
  /** Admins and auditors with `read`. */
  READ_ALL: rule('READ_ALL', READERS_OF_ALL),
  /** The ADMIN role with the `admin` scope (and ADMIN_TOKEN). */
  ADMIN: rule('ADMIN', ['adminToken', 'adminAll']),
  /** The bulk upserts: the `ingest` scope (never an auditor), or an admin. */
  INGEST: rule('INGEST', ['adminToken', 'adminAll', 'ingestOnly']),
  /** The viewer's own data (grants, memberships, tasks, role): `read` on their own, or read-all. ADMIN_TOKEN has no own data (viewer is null). */
  OWN_READ: rule('OWN_READ', [...READERS_OF_ALL, 'userFull']),
  /** Self-service: the `request` scope, not an auditor. ADMIN_TOKEN passes the rule and gets BAD_USER_INPUT (it is no user). */
  REQUEST: rule('REQUEST', ['adminToken', 'adminAll', 'userFull', 'userNoRead', 'userRequestOnly']),
  /** Decisions: the `review` scope, not an auditor, a user (ADMIN_TOKEN is no user: FORBIDDEN), approver of the step or admin. */
  REVIEW: rule('REVIEW', ['adminAll', 'userFull', 'userNoRead']),
  /** Provisioning: the `provision` scope, not an auditor, owner of the task's MANUAL app, or an admin. */
  PROVISION: rule('PROVISION', ['adminToken', 'adminAll', 'userFull', 'userNoRead']),
  /** Withdrawing a task: its requester with the `request` scope (not an auditor), or an admin. */
  CANCEL: rule('CANCEL', ['adminToken', 'adminAll', 'userFull', 'userNoRead', 'userRequestOnly']),
  /** Task events: read-all, or a user with `read`, `review` or `provision` (each sees only the tasks they may see). */
  TASK_EVENTS: rule('TASK_EVENTS', [...READERS_OF_ALL, 'userFull', 'userNoRead']),
  /** Another user's task the viewer may decide now: read-all, or an approver of the step with `review` or `read`. */
  TASK_AS_APPROVER: rule('TASK_AS_APPROVER', [...READERS_OF_ALL, 'userFull', 'userNoRead']),
} as const satisfies Record<string, Rule>;

/** Marks an object field readable by every authenticated viewer; checked with a generated selection. */
export const CATALOGUE = 'CATALOGUE' as const;

/** Every Query, Mutation and Subscription field of the schema. */
export const ROOT_FIELD_RULES: Record<string, Rule> = {
  'Query.node': RULES.AUTHENTICATED,
  'Query.nodes': RULES.AUTHENTICATED,
  'Query.viewer': RULES.AUTHENTICATED,
  'Query.users': RULES.AUTHENTICATED,
  'Query.apps': RULES.AUTHENTICATED,
  'Query.entitlements': RULES.AUTHENTICATED,
  'Query.accessProfiles': RULES.AUTHENTICATED,
  'Query.policies': RULES.AUTHENTICATED,
  'Query.safeguardSettings': RULES.AUTHENTICATED,
  'Query.userByExternalId': RULES.AUTHENTICATED,
  'Query.appByExternalId': RULES.AUTHENTICATED,
  'Query.entitlementByExternalId': RULES.AUTHENTICATED,
  'Query.tasks': RULES.OWN_READ,
  'Query.whyAccess': RULES.READ_ALL,
  'Query.entitlementHolders': RULES.READ_ALL,
  'Query.whatIfMembershipAutomation': RULES.READ_ALL,
  'Query.blastRadius': RULES.READ_ALL,
  'Query.unjustifiedGrants': RULES.READ_ALL,
  'Query.driftedMembers': RULES.READ_ALL,
  'Query.redundantExclusions': RULES.READ_ALL,
  'Query.emptyProfiles': RULES.READ_ALL,
  'Query.overlappingProfiles': RULES.READ_ALL,
  'Query.auditLog': RULES.READ_ALL,
  'Query.verifyAuditLog': RULES.READ_ALL,

  'Mutation.upsertUsers': RULES.INGEST,
  'Mutation.upsertApps': RULES.INGEST,
  'Mutation.upsertEntitlements': RULES.INGEST,
  'Mutation.upsertGrants': RULES.INGEST,
  'Mutation.createPolicy': RULES.ADMIN,
  'Mutation.createAccessProfile': RULES.ADMIN,
  'Mutation.updateAccessProfile': RULES.ADMIN,
  'Mutation.addProfileItems': RULES.ADMIN,
  'Mutation.removeProfileItems': RULES.ADMIN,
  'Mutation.setMembershipAutomation': RULES.ADMIN,
  'Mutation.enrollUsers': RULES.ADMIN,
  'Mutation.unenrollUsers': RULES.ADMIN,
  'Mutation.requestMissingAccess': RULES.ADMIN,
  'Mutation.syncNow': RULES.ADMIN,
  'Mutation.resumeSync': RULES.ADMIN,
  'Mutation.discardSync': RULES.ADMIN,
  'Mutation.updateSafeguardSettings': RULES.ADMIN,
  'Mutation.setUserRole': RULES.ADMIN,
  'Mutation.createApiToken': RULES.ADMIN,
  'Mutation.revokeApiToken': RULES.ADMIN,
  'Mutation.requestAccess': RULES.REQUEST,
  'Mutation.approveTask': RULES.REVIEW,
  'Mutation.denyTask': RULES.REVIEW,
  'Mutation.completeProvisioning': RULES.PROVISION,
  'Mutation.failProvisioning': RULES.PROVISION,
  'Mutation.cancelTask': RULES.CANCEL,

  'Subscription.taskEvents': RULES.TASK_EVENTS,
  'Subscription.syncEvents': RULES.READ_ALL,
};

/**
 * The types everyone authenticated reaches (the catalogue): each of their fields is either
 * CATALOGUE or restricted by a rule. A new field on one of them without an entry fails the test.
 * The other types are reached only through a restricted field or are restricted as a whole
 * (Grant, Task, SyncRun: see OBJECT_CHECK_RULES).
 */
export const CATALOGUE_TYPES = ['User', 'App', 'Entitlement', 'AccessProfile', 'MembershipAutomation', 'Policy', 'PolicyStep'] as const;

/** Fields of the catalogue types; the restricted ones are checked on ANOTHER user's / the fixture's objects. */
export const OBJECT_FIELD_RULES: Record<string, Rule | typeof CATALOGUE> = {
  'User.id': CATALOGUE,
  'User.externalId': CATALOGUE,
  'User.email': CATALOGUE,
  'User.displayName': CATALOGUE,
  'User.status': CATALOGUE,
  'User.manager': CATALOGUE,
  'User.role': RULES.READ_ALL,
  'User.grants': RULES.READ_ALL,
  'User.memberships': RULES.READ_ALL,
  'User.tasks': RULES.READ_ALL,

  'App.id': CATALOGUE,
  'App.externalId': CATALOGUE,
  'App.name': CATALOGUE,
  'App.owners': CATALOGUE,
  'App.provisioning': CATALOGUE,
  'App.entitlements': CATALOGUE,

  'Entitlement.id': CATALOGUE,
  'Entitlement.externalId': CATALOGUE,
  'Entitlement.name': CATALOGUE,
  'Entitlement.kind': CATALOGUE,
  'Entitlement.app': CATALOGUE,
  'Entitlement.profile': CATALOGUE,
  'Entitlement.requestPolicy': CATALOGUE,
  'Entitlement.revokePolicy': CATALOGUE,
  'Entitlement.includedIn': CATALOGUE,
  'Entitlement.holders': RULES.READ_ALL,

  'AccessProfile.id': CATALOGUE,
  'AccessProfile.name': CATALOGUE,
  'AccessProfile.description': CATALOGUE,
  'AccessProfile.allowEnrollmentRequests': CATALOGUE,
  'AccessProfile.enrollmentEntitlement': CATALOGUE,
  'AccessProfile.exclusionEntitlement': CATALOGUE,
  'AccessProfile.items': CATALOGUE,
  'AccessProfile.enrollmentPolicy': CATALOGUE,
  'AccessProfile.unenrollmentPolicy': CATALOGUE,
  'AccessProfile.bypassItemRequestPolicies': CATALOGUE,
  'AccessProfile.bypassItemRevokePolicies': CATALOGUE,
  'AccessProfile.unenrollmentAction': CATALOGUE,
  'AccessProfile.automation': CATALOGUE,
  'AccessProfile.members': RULES.READ_ALL,
  'AccessProfile.pendingEnrollments': RULES.READ_ALL,
  'AccessProfile.syncRuns': RULES.READ_ALL,
  'AccessProfile.pausedSync': RULES.READ_ALL,
  'AccessProfile.previewSync': RULES.READ_ALL,
  'AccessProfile.deniedEnrollments': RULES.READ_ALL,
  'AccessProfile.keptByDecision': RULES.READ_ALL,
  'AccessProfile.missingAccess': RULES.READ_ALL,

  'MembershipAutomation.enabled': CATALOGUE,
  'MembershipAutomation.mode': CATALOGUE,
  'MembershipAutomation.condition': CATALOGUE,
  'MembershipAutomation.pauseOnAnomalies': CATALOGUE,
  'MembershipAutomation.excludedUsers': RULES.READ_ALL,

  'Policy.id': CATALOGUE,
  'Policy.name': CATALOGUE,
  'Policy.steps': CATALOGUE,
  'PolicyStep.approverType': CATALOGUE,
  'PolicyStep.approvers': CATALOGUE,
};

/**
 * Further checks, by visibility rather than by field: the viewer's own data, objects fetched by
 * id (node/nodes: no reading another user's task or grant by guessing its id), and the filters
 * of `tasks`.
 */
export const OBJECT_CHECK_RULES: Record<string, Rule> = {
  'User.role@self': RULES.OWN_READ,
  'User.grants@self': RULES.OWN_READ,
  'User.memberships@self': RULES.OWN_READ,
  'User.tasks@self': RULES.OWN_READ,
  'node(Grant)@other': RULES.READ_ALL,
  'nodes(Grant)@other': RULES.READ_ALL,
  'node(Grant)@self': RULES.OWN_READ,
  'node(Task)@other': RULES.READ_ALL,
  'nodes(Task)@other': RULES.READ_ALL,
  'node(Task)@approver': RULES.TASK_AS_APPROVER,
  'node(SyncRun)': RULES.READ_ALL,
  'Query.tasks(userId: other)': RULES.READ_ALL,
  'Query.tasks(assignedToViewer)': RULES.TASK_AS_APPROVER,
};
