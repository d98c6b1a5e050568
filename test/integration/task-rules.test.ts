/**
 * The inbox is the rule: over generated tasks (every state, approvers or not, steps gone to the
 * admins, MANUAL apps with and without owners, AUTOMATIC apps, tasks about the viewer's own
 * access), `cypher/tasks/list-tasks.cypher` with `assignedTo` returns exactly the tasks that
 * isAssignedToDecide or isAssignedToProvision (src/workflow/rules.ts) say, for every kind of viewer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES, bootstrapAdmin, type Viewer } from '../../src/auth/viewer.js';
import type { TaskRecord } from '../../src/workflow/records.js';
import { inboxOf, isAssignedToDecide, isAssignedToProvision } from '../../src/workflow/rules.js';
import { resetGraph, runCypher, startTestApp, type TestApp } from '../helpers/app.js';
import { seededRandom } from '../helpers/random.js';

let t: TestApp;
const TASKS = 400;
const USERS = ['s1', 's2', 'a1', 'a2', 'o1', 'adm1', 'adm2', 'p1'];
const STATES = ['PENDING_APPROVAL', 'PENDING_PROVISIONING', 'DONE', 'DENIED', 'CANCELLED', 'FAILED'];

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
  const next = seededRandom(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  await runCypher(
    t,
    `UNWIND $users AS id CREATE (:User {id: id, role: CASE WHEN id STARTS WITH 'adm' THEN 'ADMIN' ELSE 'USER' END, status: 'ACTIVE'})
     WITH count(*) AS users
     MATCH (o1:User {id: 'o1'})
     CREATE (owned:App {id: 'owned', provisioning: 'MANUAL'})-[:OWNED_BY]->(o1),
            (:App {id: 'ownerless', provisioning: 'MANUAL'}), (:App {id: 'automatic', provisioning: 'AUTOMATIC'})
     WITH count(*) AS apps
     UNWIND ['owned', 'ownerless', 'automatic'] AS appId
     MATCH (a:App {id: appId})
     CREATE (:Entitlement {id: 'e-' + appId})-[:OF_APP]->(a)
     WITH count(*) AS done
     CREATE (:Entitlement {id: 'e-none'})`,
    { users: USERS },
  );
  const rows = Array.from({ length: TASKS }, (_, i) => {
    const state = pick(STATES);
    const approvers = state === 'PENDING_APPROVAL' ? USERS.filter(() => next() < 0.2) : [];
    return {
      id: `t${String(i).padStart(4, '0')}`,
      state,
      subject: pick(USERS),
      entitlement: pick(['e-owned', 'e-ownerless', 'e-automatic', 'e-none']),
      approvers,
      awaitingAdmins: state === 'PENDING_APPROVAL' && approvers.length === 0 && next() < 0.7,
    };
  });
  await runCypher(
    t,
    `UNWIND $rows AS row
     MATCH (u:User {id: row.subject}), (e:Entitlement {id: row.entitlement})
     CREATE (task:Task {id: row.id, kind: 'GRANT', state: row.state, origin: 'ADMIN', awaitingAdmins: row.awaitingAdmins})
     CREATE (task)-[:FOR_USER]->(u), (task)-[:ON_ENTITLEMENT]->(e)
     WITH task, row
     UNWIND row.approvers AS approverId
     MATCH (a:User {id: approverId})
     CREATE (task)-[:AWAITS]->(a)`,
    { rows },
  );
});
afterAll(async () => t?.stop());

/** Each viewer, and whether some user holds the ADMIN role (the bootstrap token stands in for the admins while none does). */
const viewers: [string, Viewer, boolean][] = [
  ...USERS.map((id): [string, Viewer, boolean] => [id, { userId: id, role: id.startsWith('adm') ? 'ADMIN' : 'USER', scopes: new Set(ALL_SCOPES), tokenId: null }, true]),
  ['the bootstrap admin token', bootstrapAdmin, true],
  ['the bootstrap admin token while no user is an admin', bootstrapAdmin, false],
];

describe('the inbox query and the rules of who is assigned', () => {
  it.each(viewers)('agree for %s', async (_name, viewer, adminUsersExist) => {
    const { inbox, tasks } = await t.app.services.db.read('test.task-rules', async (tx) => ({
      inbox: (await tx.run<{ id: string }>('tasks/list-tasks', { states: null, profileId: null, userId: null, assignedTo: inboxOf(viewer, adminUsersExist), after: null, limit: TASKS })).map((r) => r.id),
      tasks: (await tx.run<{ task: TaskRecord }>('tasks/tasks-by-id', { ids: Array.from({ length: TASKS }, (_, i) => `t${String(i).padStart(4, '0')}`) })).map((r) => r.task),
    }));
    expect(tasks).toHaveLength(TASKS);
    const expected = tasks.filter((task) => isAssignedToDecide(viewer, task, adminUsersExist) || isAssignedToProvision(viewer, task)).map((task) => task.id);
    expect(inbox).toEqual(expected.sort());
  });

  it('cover every kind of assignment at least once', async () => {
    const tasks = await t.app.services.db.read('test.task-rules', async (tx) =>
      (await tx.run<{ task: TaskRecord }>('tasks/tasks-by-id', { ids: Array.from({ length: TASKS }, (_, i) => `t${String(i).padStart(4, '0')}`) })).map((r) => r.task),
    );
    const [, a1] = viewers.find(([name]) => name === 'a1')!;
    const [, adm1] = viewers.find(([name]) => name === 'adm1')!;
    const [, o1] = viewers.find(([name]) => name === 'o1')!;
    expect(tasks.some((task) => isAssignedToDecide(a1, task))).toBe(true);
    expect(tasks.some((task) => task.awaitingAdmins && isAssignedToDecide(adm1, task))).toBe(true);
    expect(tasks.some((task) => task.awaitingAdmins && task.userId === 'adm1')).toBe(true);
    expect(tasks.some((task) => isAssignedToProvision(o1, task))).toBe(true);
    expect(tasks.some((task) => task.provisionerIds.length === 0 && isAssignedToProvision(adm1, task))).toBe(true);
  });
});
