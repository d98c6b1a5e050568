/**
 * Live events from the real producers: every task transition caused through the API (request,
 * approve, deny, cancel, manual provisioning done and failed, enrollment and unenrollment) and
 * every sync transition of a real sync (started, completed, paused with its webhook message,
 * resumed, discarded) reaches a subscriber, with the task or run as it is now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, quiescent, resetGraph, startTestApp, type TestApp } from '../helpers/app.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/events-webhook.js';
import { collect, subscribed, wsClient, type Collector } from '../helpers/events-ws.js';
import { idOf, ingestOrg, tokenFor } from '../helpers/fixtures.js';
import { createProfile, grant, setAutomation } from '../helpers/sync-seed.js';

let t: TestApp;
let hook: WebhookReceiver;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

const TASK_EVENTS = `subscription { taskEvents { type task { id state } } }`;
const SYNC_EVENTS = `subscription($p: ID) { syncEvents(profileId: $p) { type runId stagedUnenrollments run { id state trigger } } }`;

const asUser = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const body = await t.request<Record<string, any>>(query, variables, token);
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data!;
};
const request = async (user: string, entitlement: string): Promise<string> =>
  (await asUser(tokens[user]!, `mutation($e: ID!) { r: requestAccess(entitlementId: $e) { id } }`, { e: ids[entitlement] })).r.id;
const decide = (taskId: string, approve: boolean) =>
  asUser(tokens.u0!, `mutation($id: ID!) { r: ${approve ? 'approveTask' : 'denyTask'}(taskId: $id) { state } }`, { id: taskId });

/** The types a collector saw for one task, in order. */
const typesOf = (events: Record<string, any>[], taskId: string) => events.filter((e) => e.task?.id === taskId).map((e) => e.type as string);

async function sawTask(sub: Collector, taskId: string, last: string): Promise<string[]> {
  await sub.until((events) => typesOf(events, taskId).includes(last));
  return typesOf(sub.events(), taskId);
}

beforeAll(async () => {
  hook = await startWebhookReceiver();
  t = await startTestApp({ NOTIFY_WEBHOOK_URL: hook.url, NOTIFY_BASE_DELAY_MS: '50', EVENTS_POLL_MS: '300' });
  await resetGraph(t.app);
  await ingestOrg(t, 8, [
    { externalId: 'crm', name: 'CRM', provisioning: 'MANUAL', owners: ['u0'], entitlements: ['crm-user', 'crm-admin'] },
    { externalId: 'idp', name: 'IdP', entitlements: ['group-sales', 'group-eng'] },
  ]);
  for (const e of ['crm-user', 'crm-admin', 'group-sales', 'group-eng']) ids[e] = await idOf(t, 'entitlement', e);
  for (const u of ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']) ids[u] = await idOf(t, 'user', u);
  // u0 manages everyone (the default request policy asks the manager) and owns the MANUAL app.
  tokens.u0 = await tokenFor(t, ids.u0!, ['read', 'review', 'provision'], 'USER');
  tokens.u1 = await tokenFor(t, ids.u1!, ['read', 'request'], 'USER');
  tokens.u2 = await tokenFor(t, ids.u2!, ['read', 'request'], 'USER');
});

afterAll(async () => {
  await t?.stop();
  await hook?.stop();
});

describe('task events from the workflow', () => {
  it('follow a request through approval and manual provisioning to DONE, and to FAILED', async () => {
    const client = wsClient(t.url, ADMIN_TOKEN);
    const sub = await subscribed(t, 1, () => collect(client, 'taskEvents', TASK_EVENTS));

    const done = await request('u1', 'crm-user');
    await decide(done, true);
    await asUser(tokens.u0!, `mutation($id: ID!) { completeProvisioning(taskId: $id) { state } }`, { id: done });
    expect(await sawTask(sub, done, 'TASK_DONE')).toEqual(['TASK_CREATED', 'TASK_APPROVED', 'TASK_PROVISIONING', 'TASK_DONE']);

    const failed = await request('u2', 'crm-user');
    await decide(failed, true);
    await asUser(tokens.u0!, `mutation($id: ID!) { failProvisioning(taskId: $id, reason: "no seat left") { state } }`, { id: failed });
    expect(await sawTask(sub, failed, 'TASK_FAILED')).toEqual(['TASK_CREATED', 'TASK_APPROVED', 'TASK_PROVISIONING', 'TASK_FAILED']);
    expect(sub.events().find((e) => e.task.id === failed && e.type === 'TASK_FAILED')!.task.state).toBe('FAILED');
    await client.dispose();
  });

  it('deliver a denial and a cancellation', async () => {
    const client = wsClient(t.url, ADMIN_TOKEN);
    const sub = await subscribed(t, 1, () => collect(client, 'taskEvents', TASK_EVENTS));

    const denied = await request('u1', 'crm-admin');
    await decide(denied, false);
    expect(await sawTask(sub, denied, 'TASK_DENIED')).toEqual(['TASK_CREATED', 'TASK_DENIED']);

    const cancelled = await request('u1', 'group-eng');
    await asUser(tokens.u1!, `mutation($id: ID!) { cancelTask(taskId: $id) { state } }`, { id: cancelled });
    expect(await sawTask(sub, cancelled, 'TASK_CANCELLED')).toEqual(['TASK_CREATED', 'TASK_CANCELLED']);
    await client.dispose();
  });

  it('tell of members enrolled and unenrolled', async () => {
    const auto = (await t.admin(`mutation { createPolicy(name: "auto", steps: []) { id } }`)).createPolicy.id;
    const profile = await createProfile(t, 'Support', { enrollmentPolicyId: auto, unenrollmentPolicyId: auto });
    const client = wsClient(t.url, ADMIN_TOKEN);
    const sub = await subscribed(t, 1, () => collect(client, 'taskEvents', `subscription($p: ID) { taskEvents(profileId: $p) { type task { id user { id } } } }`, { p: profile.id }));

    await t.admin(`mutation($p: ID!, $u: [ID!]!) { enrollUsers(profileId: $p, userIds: $u) { id } }`, { p: profile.id, u: [ids.u3] });
    await sub.until((events) => events.some((e) => e.type === 'MEMBER_ENROLLED'));
    await t.admin(`mutation($p: ID!, $u: [ID!]!) { unenrollUsers(profileId: $p, userIds: $u) { id } }`, { p: profile.id, u: [ids.u3] });
    await sub.until((events) => events.some((e) => e.type === 'MEMBER_UNENROLLED'));
    const types = sub.events().map((e) => e.type);
    expect(types.indexOf('MEMBER_ENROLLED')).toBeLessThan(types.indexOf('MEMBER_UNENROLLED'));
    expect(sub.events().filter((e) => e.type.startsWith('MEMBER_')).every((e) => e.task.user.id === ids.u3)).toBe(true);
    await client.dispose();
  });
});

describe('sync events from a real sync', () => {
  it('started and completed on save; paused with a webhook message when too many would go; resumed; discarded', async () => {
    const auto = (await t.admin(`mutation { createPolicy(name: "auto sales", steps: []) { id } }`)).createPolicy.id;
    const profile = await createProfile(t, 'Sales floor', { enrollmentPolicyId: auto, unenrollmentPolicyId: auto });
    await grant(t, ['u4', 'u5', 'u6', 'u7'].map((u) => [u, 'group-sales'] as [string, string]));
    const client = wsClient(t.url, ADMIN_TOKEN);
    const sub = await subscribed(t, 1, () => collect(client, 'syncEvents', SYNC_EVENTS, { p: profile.id }));
    // Transitions, without the progress events between them.
    const typesSoFar = () => sub.events().map((e) => e.type as string).filter((type) => type !== 'SYNC_PROGRESS');

    await setAutomation(t, profile.id, { enabled: true, conditionEntitlementIds: [ids['group-sales']!] });
    await sub.until((events) => events.some((e) => e.type === 'SYNC_COMPLETED'));
    expect(typesSoFar().slice(0, 2)).toEqual(['SYNC_STARTED', 'SYNC_COMPLETED']);
    expect(sub.events().find((e) => e.type === 'SYNC_COMPLETED')!.run).toMatchObject({ state: 'COMPLETED', trigger: 'AUTOMATION_SAVED' });

    // Four members; a safeguard above 2 members at 20%: losing two of them pauses the next sync.
    await t.admin(`mutation { updateSafeguardSettings(minMembers: 2, maxUnenrollRatio: 0.2) { minMembers } }`);
    await grant(t, [['u6', 'group-sales'], ['u7', 'group-sales']], ['group-sales']);
    await sub.until((events) => events.some((e) => e.type === 'SYNC_PAUSED'));
    const paused = sub.events().find((e) => e.type === 'SYNC_PAUSED')!;
    expect(paused.stagedUnenrollments).toBe(2);
    expect(paused.run.state).toBe('PAUSED');
    await quiescent(t); // the notification about the pause has been posted
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.text).toContain('Sales floor');
    expect(hook.received[0]!.text).toContain('2');

    await t.admin(`mutation($r: ID!) { resumeSync(syncRunId: $r) { state } }`, { r: paused.run.id });
    await sub.until((events) => events.filter((e) => e.type === 'SYNC_COMPLETED').length >= 2);
    expect(typesSoFar()).toContain('SYNC_RESUMED');

    // Two members left; above 1 member, losing one is 50%: paused again, and this time discarded.
    await t.admin(`mutation { updateSafeguardSettings(minMembers: 1, maxUnenrollRatio: 0.2) { minMembers } }`);
    await grant(t, [['u7', 'group-sales']], ['group-sales']);
    await sub.until((events) => events.filter((e) => e.type === 'SYNC_PAUSED').length >= 2);
    const second = sub.events().filter((e) => e.type === 'SYNC_PAUSED')[1]!;
    await t.admin(`mutation($r: ID!) { discardSync(syncRunId: $r) { state } }`, { r: second.run.id });
    await sub.until((events) => events.some((e) => e.type === 'SYNC_DISCARDED'));
    expect(sub.events().find((e) => e.type === 'SYNC_DISCARDED')!.run.state).toBe('DISCARDED');
    await quiescent(t);
    expect(hook.received).toHaveLength(2);
    await client.dispose();
  });
});
