/** Who may act on a task (src/workflow/rules.ts), case by case. */
import { describe, expect, it } from 'vitest';
import { ALL_SCOPES, bootstrapAdmin, type Role, type Scope, type Viewer } from '../../src/auth/viewer.js';
import { canSeeTask, isAssignedToDecide, isAssignedToProvision, mayDecide, mayProvision, type TaskFacts, type TaskPeople } from '../../src/workflow/rules.js';

const viewer = (userId: string, role: Role = 'USER', scopes: readonly Scope[] = ['read', 'request', 'review', 'provision']): Viewer => ({
  userId,
  role,
  scopes: new Set(scopes),
  tokenId: null,
});
const task = (facts: Partial<TaskFacts & TaskPeople> = {}): TaskFacts & TaskPeople => ({
  state: 'PENDING_APPROVAL',
  userId: 'subject',
  approverIds: ['boss'],
  awaitingAdmins: false,
  manualProvisioning: false,
  provisionerIds: [],
  requestedById: null,
  closedById: null,
  deciderIds: [],
  ...facts,
});
const admin = viewer('root', 'ADMIN', ALL_SCOPES);
const adminReviewOnly = viewer('root', 'ADMIN', ['review']);

describe('deciding', () => {
  it("the step's approver is assigned and may decide; another user is neither", () => {
    expect(isAssignedToDecide(viewer('boss'), task())).toBe(true);
    expect(mayDecide(viewer('boss'), task())).toBe(true);
    expect(isAssignedToDecide(viewer('peer'), task())).toBe(false);
    expect(mayDecide(viewer('peer'), task())).toBe(false);
  });

  it('an admin may decide any open step without it being assigned to them', () => {
    expect(mayDecide(admin, task())).toBe(true);
    expect(isAssignedToDecide(admin, task())).toBe(false);
    // the override needs the admin scope; the ADMIN role alone with review does not
    expect(mayDecide(adminReviewOnly, task())).toBe(false);
  });

  it('a step gone to the admins is assigned to every ADMIN-role user, whatever their scopes', () => {
    const orphan = task({ approverIds: [], awaitingAdmins: true });
    expect(isAssignedToDecide(adminReviewOnly, orphan)).toBe(true);
    expect(mayDecide(adminReviewOnly, orphan)).toBe(true);
    expect(isAssignedToDecide(viewer('boss'), orphan)).toBe(false);
  });

  it('nobody decides a task about their own access, not even an admin', () => {
    const own = task({ userId: 'root', approverIds: ['root'], awaitingAdmins: true });
    expect(mayDecide(admin, own)).toBe(false);
    expect(isAssignedToDecide(admin, own)).toBe(false);
  });

  it('while no user holds the ADMIN role, the bootstrap admin credential stands in for the admins', () => {
    const orphan = task({ approverIds: [], awaitingAdmins: true });
    expect(isAssignedToDecide(bootstrapAdmin, orphan, false)).toBe(true);
    expect(mayDecide(bootstrapAdmin, orphan, false)).toBe(true);
    // only for the steps gone to the admins: a step with approvers is theirs
    expect(isAssignedToDecide(bootstrapAdmin, task(), false)).toBe(false);
    expect(mayDecide(bootstrapAdmin, task(), false)).toBe(false);
  });

  it('once an ADMIN user exists, the bootstrap admin credential neither is assigned nor decides', () => {
    const orphan = task({ approverIds: [], awaitingAdmins: true });
    expect(isAssignedToDecide(bootstrapAdmin, orphan, true)).toBe(false);
    expect(mayDecide(bootstrapAdmin, orphan, true)).toBe(false);
    expect(isAssignedToDecide(adminReviewOnly, orphan, true)).toBe(true);
  });

  it('a closed task is assigned to nobody', () => {
    for (const state of ['PENDING_PROVISIONING', 'DONE', 'DENIED', 'CANCELLED', 'FAILED'] as const) {
      expect(isAssignedToDecide(viewer('boss'), task({ state }))).toBe(false);
    }
  });
});

describe('provisioning', () => {
  const manual = task({ state: 'PENDING_PROVISIONING', approverIds: [], manualProvisioning: true, provisionerIds: ['owner'] });

  it("the MANUAL app's owners are assigned and may provision; admins may too, unassigned", () => {
    expect(isAssignedToProvision(viewer('owner'), manual)).toBe(true);
    expect(mayProvision(viewer('owner'), manual)).toBe(true);
    expect(isAssignedToProvision(admin, manual)).toBe(false);
    expect(mayProvision(admin, manual)).toBe(true);
    expect(mayProvision(bootstrapAdmin, manual)).toBe(true);
    expect(mayProvision(viewer('peer'), manual)).toBe(false);
  });

  it('an app without owners is assigned to the admins', () => {
    const ownerless = { ...manual, provisionerIds: [] };
    expect(isAssignedToProvision(adminReviewOnly, ownerless)).toBe(true);
    expect(isAssignedToProvision(bootstrapAdmin, ownerless)).toBe(true);
    expect(isAssignedToProvision(viewer('owner'), ownerless)).toBe(false);
  });

  it('an AUTOMATIC app is provisioned by the system: assigned to nobody', () => {
    const automatic = { ...manual, manualProvisioning: false };
    expect(isAssignedToProvision(viewer('owner'), automatic)).toBe(false);
    expect(mayProvision(viewer('owner'), automatic)).toBe(false);
  });
});

describe('seeing', () => {
  it('the subject, readers of everything, the requester, deciders and whoever is assigned see it; others do not', () => {
    const t = task({ requestedById: 'asker', deciderIds: ['earlier'] });
    expect(canSeeTask(viewer('subject'), t)).toBe(true);
    expect(canSeeTask(viewer('auditor', 'AUDITOR', ['read']), t)).toBe(true);
    expect(canSeeTask(viewer('asker', 'USER', ['request']), t)).toBe(true);
    expect(canSeeTask(viewer('earlier', 'USER', ['review']), t)).toBe(true);
    expect(canSeeTask(viewer('boss', 'USER', ['review']), t)).toBe(true);
    expect(canSeeTask(viewer('boss', 'USER', ['request']), t)).toBe(false);
    expect(canSeeTask(viewer('peer'), t)).toBe(false);
    expect(canSeeTask(null, t)).toBe(false);
  });
});
