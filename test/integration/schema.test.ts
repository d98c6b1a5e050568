/**
 * schema.graphql is printed from the Pothos builder: the committed file must equal what the code
 * prints, and it must hold the public contract's names (docs: /work/shared/API.md) that the
 * foundation owns, with the same types and arguments.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, Kind, parse, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../src/schema/index.js';

const committed = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema.graphql'), 'utf8');

/** The contract's part that this issue owns, verbatim in shape from API.md. */
const CONTRACT = `
interface Node { id: ID! }
enum UserStatus { ACTIVE DISABLED }
enum EntitlementKind { STANDARD PROFILE_ENROLLMENT PROFILE_EXCLUSION }
enum AutomationMode { SYNC_MEMBERS_ONLY SYNC_MEMBERS_AND_ACCESS }
enum UnenrollmentAction { LEAVE_AS_IS REVOKE_ALL REVOKE_UNJUSTIFIED }
enum ProvisioningMode { AUTOMATIC MANUAL }
enum ApproverType { MANAGER APP_OWNERS USERS }
enum GrantSourceType { DIRECT PROFILE }
enum Role { ADMIN AUDITOR USER }
type User implements Node {
  id: ID!  externalId: String!  email: String!  displayName: String!  status: UserStatus!
  manager: User
  grants(first: Int, after: String): GrantConnection!
  memberships: [AccessProfile!]!
  role: Role!
}
type App implements Node {
  id: ID!  externalId: String!  name: String!  owners: [User!]!
  provisioning: ProvisioningMode!
  entitlements(first: Int, after: String): EntitlementConnection!
}
type Entitlement implements Node {
  id: ID!  externalId: String  name: String!  kind: EntitlementKind!
  app: App
  profile: AccessProfile
  requestPolicy: Policy  revokePolicy: Policy
  holders(first: Int, after: String): GrantConnection!
  includedIn: [AccessProfile!]!
}
type GrantSource { type: GrantSourceType!  profile: AccessProfile }
type Grant implements Node {
  id: ID!  user: User!  entitlement: Entitlement!  grantedAt: DateTime!
  sources: [GrantSource!]!
  justifiedBy: [AccessProfile!]!
}
type PolicyStep { approverType: ApproverType!  approvers: [User!]! }
type Policy implements Node { id: ID!  name: String!  steps: [PolicyStep!]! }
type MembershipAutomation {
  enabled: Boolean!  mode: AutomationMode!
  condition: [Entitlement!]!
  excludedUsers: [User!]!
  pauseOnAnomalies: Boolean!
}
type AccessProfile implements Node {
  id: ID!  name: String!  description: String
  allowEnrollmentRequests: Boolean!
  enrollmentEntitlement: Entitlement!  exclusionEntitlement: Entitlement!
  items: [Entitlement!]!
  enrollmentPolicy: Policy  unenrollmentPolicy: Policy
  bypassItemRequestPolicies: Boolean!  bypassItemRevokePolicies: Boolean!
  unenrollmentAction: UnenrollmentAction!
  automation: MembershipAutomation!
  members(first: Int, after: String): UserConnection!
}
type SafeguardSettings { minMembers: Int!  maxUnenrollRatio: Float! }
type UpsertResult { created: Int!  updated: Int!  unchanged: Int! }
type ApiToken { id: ID!  name: String!  user: User!  scopes: [String!]!  createdAt: DateTime! }
type ApiTokenSecret { token: String!  apiToken: ApiToken! }
type PageInfo { hasNextPage: Boolean!  endCursor: String }
type UserConnection { edges: [UserEdge!]!  pageInfo: PageInfo!  totalCount: Int! }
type UserEdge { cursor: String!  node: User! }
type GrantConnection { edges: [GrantEdge!]!  pageInfo: PageInfo!  totalCount: Int! }
type EntitlementConnection { edges: [EntitlementEdge!]!  pageInfo: PageInfo!  totalCount: Int! }
type AppConnection { edges: [AppEdge!]!  pageInfo: PageInfo!  totalCount: Int! }
type AccessProfileConnection { edges: [AccessProfileEdge!]!  pageInfo: PageInfo!  totalCount: Int! }
type Query {
  node(id: ID!): Node  nodes(ids: [ID!]!): [Node]!
  viewer: User
  users(first: Int, after: String, search: String): UserConnection!
  apps(first: Int, after: String): AppConnection!
  entitlements(first: Int, after: String, search: String): EntitlementConnection!
  accessProfiles(first: Int, after: String): AccessProfileConnection!
  policies: [Policy!]!
  safeguardSettings: SafeguardSettings!
  userByExternalId(externalId: String!): User
  appByExternalId(externalId: String!): App
  entitlementByExternalId(externalId: String!): Entitlement
}
input UserInput { externalId: String!  email: String!  displayName: String!
                  status: UserStatus = ACTIVE  managerExternalId: String }
input AppInput { externalId: String!  name: String!  ownerExternalIds: [String!] = []
                 provisioning: ProvisioningMode = AUTOMATIC }
input EntitlementInput { externalId: String!  appExternalId: String!  name: String!
                         requestPolicyId: ID  revokePolicyId: ID }
input GrantInput { userExternalId: String!  entitlementExternalId: String! }
input PolicyStepInput { approverType: ApproverType!  userIds: [ID!] }
input AccessProfileInput { name: String!  description: String  allowEnrollmentRequests: Boolean
  enrollmentPolicyId: ID  unenrollmentPolicyId: ID  bypassItemRequestPolicies: Boolean
  bypassItemRevokePolicies: Boolean  unenrollmentAction: UnenrollmentAction }
input MembershipAutomationInput { enabled: Boolean  mode: AutomationMode
  conditionEntitlementIds: [ID!]  excludedUserIds: [ID!]  pauseOnAnomalies: Boolean }
type Mutation {
  upsertUsers(users: [UserInput!]!): UpsertResult!
  upsertApps(apps: [AppInput!]!): UpsertResult!
  upsertEntitlements(entitlements: [EntitlementInput!]!): UpsertResult!
  upsertGrants(grants: [GrantInput!]!, replaceForEntitlements: [String!]): UpsertResult!
  createPolicy(name: String!, steps: [PolicyStepInput!]!): Policy!
  createAccessProfile(input: AccessProfileInput!): AccessProfile!
  updateAccessProfile(id: ID!, input: AccessProfileInput!): AccessProfile!
  addProfileItems(profileId: ID!, entitlementIds: [ID!]!, requestForMembers: Boolean = true): AccessProfile!
  removeProfileItems(profileId: ID!, entitlementIds: [ID!]!): AccessProfile!
  setMembershipAutomation(profileId: ID!, input: MembershipAutomationInput!): AccessProfile!
  updateSafeguardSettings(minMembers: Int!, maxUnenrollRatio: Float!): SafeguardSettings!
  setUserRole(userId: ID!, role: Role!): User!
  createApiToken(userId: ID!, name: String!, scopes: [String!]!): ApiTokenSecret!
  revokeApiToken(id: ID!): ApiToken!
}
`;

/**
 * Restricted fields of the catalogue types made nullable, so that a viewer who may not read one
 * gets that field null with its error and the rest of the answer (docs/api-changes.md lists them).
 */
const RELAXED = new Set([
  'User.role',
  'User.grants',
  'User.memberships',
  'User.tasks',
  'Entitlement.holders',
  'AccessProfile.members',
  'AccessProfile.pendingEnrollments',
  'AccessProfile.syncRuns',
  'AccessProfile.previewSync',
  'MembershipAutomation.excludedUsers',
]);

describe('schema.graphql', () => {
  it('equals what the builder prints (run `npm run schema` after a schema change)', () => {
    expect(committed).toBe(printedSchema());
  });

  const schema: GraphQLSchema = buildSchema(committed);
  const contract = parse(CONTRACT);

  it.each(contract.definitions.map((d) => [(d as { name: { value: string } }).name.value, d] as const))('holds the contract type %s', (name, definition) => {
    const actual = schema.getType(name);
    expect(actual, `type ${name}`).toBeDefined();
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION) {
      expect(isEnumType(actual)).toBe(true);
      const values = isEnumType(actual) ? actual.getValues().map((v) => v.name) : [];
      for (const v of definition.values ?? []) expect(values, `${name}.${v.name.value}`).toContain(v.name.value);
      return;
    }
    if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      expect(isInputObjectType(actual)).toBe(true);
      const fields = isInputObjectType(actual) ? actual.getFields() : {};
      for (const f of definition.fields ?? []) {
        const field = fields[f.name.value];
        expect(field, `${name}.${f.name.value}`).toBeDefined();
        expect(String(field!.type), `${name}.${f.name.value}`).toBe(typeText(f.type));
      }
      return;
    }
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      expect(isObjectType(actual) || isInterfaceType(actual)).toBe(true);
      const fields = isObjectType(actual) || isInterfaceType(actual) ? actual.getFields() : {};
      if (isObjectType(actual)) {
        for (const i of definition.interfaces ?? []) expect(actual.getInterfaces().map((x) => x.name), `${name} implements`).toContain(i.name.value);
      }
      for (const f of definition.fields ?? []) {
        const field = fields[f.name.value];
        expect(field, `${name}.${f.name.value}`).toBeDefined();
        // A restricted field may be the nullable form of its contract type (a refusal nulls it alone), when docs/api-changes.md says so.
        const contract = typeText(f.type);
        const expected = RELAXED.has(`${name}.${f.name.value}`) ? contract.replace(/!$/, '') : contract;
        expect(String(field!.type), `${name}.${f.name.value}`).toBe(expected);
        for (const a of f.arguments ?? []) {
          const arg = field!.args.find((x) => x.name === a.name.value);
          expect(arg, `${name}.${f.name.value}(${a.name.value})`).toBeDefined();
          expect(String(arg!.type), `${name}.${f.name.value}(${a.name.value})`).toBe(typeText(a.type));
        }
        // arguments the contract does not name must be optional, or old clients break
        for (const arg of field!.args.filter((x) => !(f.arguments ?? []).some((a) => a.name.value === x.name))) {
          expect(String(arg.type).endsWith('!') && arg.defaultValue === undefined, `${name}.${f.name.value}(${arg.name}) is required but not in the contract`).toBe(false);
        }
      }
    }
  });
});

type TypeNode = import('graphql').TypeNode;
function typeText(node: TypeNode): string {
  if (node.kind === Kind.NON_NULL_TYPE) return `${typeText(node.type)}!`;
  if (node.kind === Kind.LIST_TYPE) return `[${typeText(node.type)}]`;
  return node.name.value;
}

describe('the relaxed contract fields', () => {
  it('are each recorded in docs/api-changes.md', () => {
    const changes = readFileSync(new URL('../../docs/api-changes.md', import.meta.url), 'utf8');
    for (const field of RELAXED) expect(changes, field).toContain(`\`${field}\``);
  });
});
