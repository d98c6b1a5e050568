/**
 * The admin journey of the product story, through the console in a real Chromium: create a
 * profile with items, set its automation after a preview, see the pending enrollments, approve
 * as the reviewer and watch the inbox and the members update live, provision by hand, ask why a
 * user has access, then a mass removal trips the safeguard: review the staged list and resume;
 * and once more, going back instead. Every screen passes axe-core (no serious or critical
 * violation) and is photographed into docs/console/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { launch, openPage, screen, startConsoleServer, type ConsoleServer } from './browser.js';
import { seed, setEngineeringGroup } from './seed.js';

let server: ConsoleServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let admin: Page;
let reviewer: Page;
let provisioner: Page;
let profileUrl = '';

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(45_000);
  contexts.push(context);
  return context;
}

async function signInAs(persona: string): Promise<Page> {
  const context = await newContext();
  const page = await openPage(context);
  await page.goto(`${server.origin}/`);
  await page.getByRole('button', { name: persona, exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

beforeAll(async () => {
  // A small safeguard: profiles over 2 members pause a sync removing more than 20% of them.
  server = await startConsoleServer({ SAFEGUARD_MIN_MEMBERS: '2', SAFEGUARD_MAX_UNENROLL_RATIO: '0.2', SYNC_DEBOUNCE_MS: '600000', SYNC_INTERVAL_SECONDS: '86400' });
  await seed(server);
  browser = await launch();
});

// A failed step leaves a picture of each open page in the temporary folder.
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  for (const [i, c] of contexts.entries()) for (const [j, p] of c.pages().entries()) await p.screenshot({ path: join(tmpdir(), `console-e2e-failure-${i}-${j}.png`), fullPage: true }).catch(() => {});
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
});

describe('the admin console', () => {
  test('a browser asking for / lands on the sign-in, which offers the demo personas', async () => {
    const context = await newContext();
    const page = await openPage(context);
    await page.goto(`${server.origin}/`);
    expect(new URL(page.url()).pathname).toBe('/console/');
    await expect.poll(() => page.getByRole('button', { name: 'reviewer', exact: true }).count()).toBe(1);
    await page.getByLabel('API token').fill('not-a-valid-token-at-all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not signed in, or your token is no longer valid');
    await screen(page, 'sign-in');
  });

  test('the admin creates a profile and adds its items', async () => {
    admin = await signInAs('admin');
    await admin.getByRole('heading', { name: 'Access profiles' }).waitFor();
    await admin.getByText('No access profile yet').waitFor();
    await admin.getByLabel('Name').fill('Engineering baseline');
    await admin.getByLabel('Description').fill('Everything an engineer needs on day one');
    await admin.getByRole('button', { name: 'Create profile' }).click();
    await admin.getByRole('heading', { name: 'Engineering baseline', level: 1 }).waitFor();
    profileUrl = admin.url();

    const items = admin.getByRole('region', { name: 'Items' });
    await items.locator('summary', { hasText: 'Add items' }).click();
    const search = items.getByLabel('Find entitlements to add');
    for (const [query, label] of [
      ['org', 'Code Host: org member'],
      ['channel', 'Team Chat: channel #eng'],
      ['viewer', 'Ledger: viewer'],
    ] as const) {
      await search.fill(query);
      await items.getByLabel(label).check();
    }
    await items.getByLabel('For current members too').check();
    await items.getByRole('button', { name: 'Add 3 items' }).click();
    await items.getByText('Added 3 items').waitFor();
    for (const name of ['org member', 'channel #eng', 'viewer']) await expect.poll(() => items.getByText(name, { exact: true }).count()).toBe(1);

    // Item grants skip the items' own policies: an enrolled member gets them at once (the Ledger by hand).
    await admin.getByLabel("Item grants skip the items' own approval policies").check();
    await admin.getByRole('button', { name: 'Save controls' }).click();
    await admin.getByText('Controls saved.').waitFor();
  });

  test('the automation is previewed, then saved: the pending enrollments appear above the members', async () => {
    const automation = admin.getByRole('region', { name: 'Membership automation' });
    await automation.getByLabel('Automation on: the rule decides who is a member').check();
    await automation.getByLabel('Users holding any of these entitlements match').fill('engineering');
    await automation.getByLabel('Identity Provider: group engineering').check();
    await expect.poll(() => admin.getByRole('button', { name: 'Save automation' }).isDisabled()).toBe(true);
    await admin.getByRole('button', { name: 'Preview' }).click();
    const preview = admin.getByRole('region', { name: 'What saving would do' });
    await preview.waitFor();
    await expect.poll(() => preview.textContent()).toMatch(/Would be enrolled\s*6/);
    await screen(admin, 'profile-automation-preview');

    await admin.getByRole('button', { name: 'Save automation' }).click();
    await admin.getByText(/^Automation saved;/).waitFor();
    // The sync runs at once; the enrollments wait on the engineers' manager.
    await admin.getByRole('button', { name: 'Pending enrollments: 6' }).waitFor({ timeout: 60_000 });
    await admin.getByRole('button', { name: 'Pending enrollments: 6' }).click();
    await admin.getByRole('table', { name: 'Users awaiting enrollment' }).waitFor();
    await expect.poll(() => admin.getByRole('table', { name: 'Users awaiting enrollment' }).getByText('Rita Reviewer').count()).toBe(6);
    await screen(admin, 'profile-pending-enrollments');

    await admin.getByRole('link', { name: 'Open tasks of Erin Engineer' }).click();
    await admin.getByRole('heading', { name: 'Open tasks of one user' }).waitFor();
    await expect.poll(() => admin.getByRole('cell', { name: 'Enroll in Engineering baseline', exact: true }).count()).toBe(1);
    await admin.goBack();
    await admin.getByRole('heading', { name: 'Engineering baseline', level: 1 }).waitFor();
  });

  test('the reviewer approves: their inbox and the profile’s members update live', async () => {
    reviewer = await signInAs('reviewer');
    await reviewer.getByRole('link', { name: 'My tasks' }).click();
    await expect.poll(() => reviewer.getByRole('button', { name: /^Approve / }).count()).toBe(6);
    await screen(reviewer, 'my-tasks-reviewer');

    await reviewer.getByLabel('Comment on Enroll in Engineering baseline for Erin Engineer').fill('Welcome aboard');
    await reviewer.getByRole('button', { name: 'Approve Enroll in Engineering baseline for Erin Engineer' }).click();
    // The admin's profile page, untouched, shows the new member.
    await admin.getByRole('heading', { name: /Members \(1\)/ }).waitFor({ timeout: 60_000 });
    await admin.getByRole('button', { name: 'Pending enrollments: 5' }).waitFor();

    // An enrollment the admin asks for lands in the reviewer's inbox by itself.
    await admin.getByRole('button', { name: 'Enroll users' }).click();
    await admin.getByLabel('Find users to enroll').fill('Nina');
    await admin.getByLabel('Nina Newcomer <nina@example.com>').check();
    await admin.getByRole('button', { name: 'Enroll 1 user' }).click();
    await admin.getByText('1 enrollment task created').waitFor();
    await expect.poll(() => reviewer.getByRole('button', { name: /^Approve / }).count(), { timeout: 60_000 }).toBe(6);

    for (let left = 6; left > 0; left--) {
      await reviewer.getByRole('button', { name: /^Approve / }).first().click();
      await expect.poll(() => reviewer.getByRole('button', { name: /^Approve / }).count(), { timeout: 60_000 }).toBe(left - 1);
    }
    await reviewer.getByText('Nothing to review.').waitFor();
    await admin.getByRole('heading', { name: /Members \(7\)/ }).waitFor({ timeout: 60_000 });
    await admin.getByRole('button', { name: 'Pending enrollments: 0' }).waitFor();
    await screen(admin, 'profile');
  });

  test('the provisioner marks the Ledger grants done, or failed with a reason', async () => {
    provisioner = await signInAs('provisioner');
    await provisioner.getByRole('link', { name: 'My tasks' }).click();
    await expect.poll(() => provisioner.getByRole('button', { name: /^Done: / }).count(), { timeout: 60_000 }).toBe(7);
    await screen(provisioner, 'my-tasks-provisioner');
    await provisioner.getByRole('button', { name: 'Done: Give Ledger: viewer for Erin Engineer' }).click();
    await provisioner.getByText('Done: Give Ledger: viewer for Erin Engineer.').waitFor();
    await provisioner.getByLabel('Why Give Ledger: viewer for Eli Coder failed').fill('Ledger seat limit reached');
    await provisioner.getByRole('button', { name: 'Failed: Give Ledger: viewer for Eli Coder' }).click();
    await provisioner.getByText('Failed: Give Ledger: viewer for Eli Coder.').waitFor();
    await expect.poll(() => provisioner.getByRole('button', { name: /^Done: / }).count()).toBe(5);
  });

  test('why a member has their access: the paths, and who would lose what', async () => {
    await admin.getByRole('row', { name: /Erin Engineer/ }).getByRole('link', { name: 'Why this access?' }).click();
    await admin.getByLabel('Access they hold').selectOption({ label: 'Code Host: org member' });
    await admin.getByRole('heading', { name: 'How Erin Engineer holds org member' }).waitFor();
    await expect.poll(() => admin.getByRole('img').getAttribute('aria-label')).toContain('Through Engineering baseline: member · includes it, this path justifies the access');
    await admin.getByRole('table', { name: 'Who would lose what' }).waitFor();
    await expect.poll(() => admin.getByRole('table', { name: 'Who would lose what' }).getByRole('row').count()).toBe(8);
    await screen(admin, 'why-access');
    await admin.goto(profileUrl);
    await admin.getByRole('heading', { name: 'Engineering baseline', level: 1 }).waitFor();
  });

  test('Sync now shows its progress live', async () => {
    // Someone joins engineering in the source system; Sync now enrolls them.
    await setEngineeringGroup(server, ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'adm']);
    await admin.getByRole('button', { name: 'Sync now' }).click();
    await admin.getByText(/The sync completed: 1 enrollment/).waitFor({ timeout: 60_000 });
    await expect.poll(() => admin.getByRole('progressbar', { name: 'Sync progress' }).getAttribute('value')).toBe('100');
    await admin.getByRole('button', { name: 'Pending enrollments: 1' }).waitFor();
  });

  test('a mass removal pauses the sync; the admin reviews who would be removed and resumes', async () => {
    await setEngineeringGroup(server, ['e1', 'e2', 'adm']);
    await admin.getByRole('button', { name: 'Sync now' }).click();
    await admin.getByText(/The safeguard paused the sync/).waitFor({ timeout: 60_000 });
    await admin.getByRole('status').filter({ hasText: 'The sync is paused' }).waitFor();

    await admin.getByRole('link', { name: 'Access profiles' }).first().click();
    await admin.getByText('The sync of Engineering baseline is paused').waitFor();
    await screen(admin, 'profiles');
    await admin.getByRole('link', { name: 'Review' }).click();
    await admin.getByRole('heading', { name: 'Review the paused sync of Engineering baseline' }).waitFor();
    const removed = admin.getByRole('table', { name: 'Users the sync would remove, with the access each would lose' });
    await expect.poll(() => removed.getByRole('row').count()).toBe(5);
    for (const who of ['Emma Builder', 'e3@example.com', 'e4', 'Code Host: org member']) await expect.poll(() => removed.getByText(who).count()).toBeGreaterThan(0);
    await screen(admin, 'review-paused-sync');

    await admin.getByRole('button', { name: 'Resume sync' }).click();
    await admin.getByRole('alertdialog').waitFor();
    await expect.poll(() => admin.getByRole('alertdialog').textContent()).toContain('4 members are removed');
    await admin.getByRole('button', { name: 'Yes, resume the sync' }).click();
    await admin.getByText(/The sync completed/).waitFor({ timeout: 60_000 });
    await screen(admin, 'review-resumed');
    await admin.getByRole('link', { name: 'Back to Engineering baseline' }).click();
    await admin.getByRole('heading', { name: /Members \(3\)/ }).waitFor({ timeout: 60_000 });
  });

  test('another mass removal, and the admin goes back: nobody is removed', async () => {
    await setEngineeringGroup(server, ['adm']);
    await admin.getByRole('button', { name: 'Sync now' }).click();
    await admin.getByText(/The safeguard paused the sync/).waitFor({ timeout: 60_000 });
    await admin.getByRole('status').filter({ hasText: 'The sync is paused' }).getByRole('link', { name: 'Review' }).click();
    await admin.getByRole('button', { name: 'Go back' }).click();
    await admin.getByRole('button', { name: 'Yes, go back' }).click();
    await admin.getByText('The paused sync was discarded: nobody is removed.').first().waitFor({ timeout: 60_000 });
    await screen(admin, 'review-went-back');
    await admin.getByRole('link', { name: 'Back to Engineering baseline' }).click();
    await admin.getByRole('heading', { name: /Members \(3\)/ }).waitFor();
    expect(await admin.getByText('The sync is paused').count()).toBe(0);
  });
});
