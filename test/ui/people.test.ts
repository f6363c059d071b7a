import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { ensureUiBundle } from './support/bundle.js';
import { launchChromium, type Browser } from './support/chromium.js';
import { startUiServer, type UiServer } from './support/server.js';

/** Screenshots for people to look at; git ignores the folder. */
const SCREENSHOTS = fileURLToPath(new URL('../output/ui/', import.meta.url));
const STEP_TIMEOUT = 240_000;
const PASSWORD = 'a passphrase for the browser';

describe.skipIf(!DIALECTS.includes('sqlite'))('web UI people in Chromium, on SQLite', () => {
  let browser: Browser;
  let server: UiServer;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureUiBundle();
    browser = await launchChromium();
    server = await startUiServer('sqlite');
    page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
  }, STEP_TIMEOUT);

  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await server?.close();
  });

  it('joins by an invitation link, invites someone from the People page (a write with the cookie and CSRF token), signs out', async () => {
    const invited = await server.api('POST', '/invitations', { email: 'ada@example.com', role: 'admin' });
    await page.goto(`${server.url}${invited.path}`);
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL('**/datasets');
    await expect.poll(() => page.getByTestId('user-name').textContent()).toBe('Ada Lovelace');

    await page.getByRole('link', { name: 'People' }).click();
    await page.getByTestId('members-table').getByText('ada@example.com').waitFor();
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Role of the invitation').selectOption('review');
    await page.getByRole('button', { name: 'Invite' }).click();
    const link = await page.getByTestId('one-time-link').locator('code').textContent();
    expect(link).toMatch(new RegExp(`^${server.url}/accept-invitation#token=est_`));
    await page.screenshot({ path: join(SCREENSHOTS, 'people.png'), fullPage: true });
    const pending = await server.api('GET', '/invitations');
    expect(pending.data.map((i: { email: string; role: string }) => [i.email, i.role])).toEqual([['grace@example.com', 'review']]);

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/sign-in');
    // The session is revoked on the server, not only forgotten by the page.
    await page.goto(`${server.url}/datasets`);
    await page.waitForURL('**/sign-in');
  });

  it('signs in with email and password, and stays signed in across a reload', async () => {
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('not the passphrase');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('email or the password is wrong');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/datasets');
    await expect.poll(() => page.getByTestId('workspace-name').textContent()).toBe(server.workspaceName);
    await page.reload();
    await expect.poll(() => page.getByTestId('user-name').textContent()).toBe('Ada Lovelace');
    const cookies = await browser.context.cookies(server.url);
    expect(cookies.find((c) => c.name === 'evalstore_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });
});
