// The admin's side of the console in a real Chromium, for the channel account form tests: signed in
// as the admin on a test server, the new account form opened for a kind, the accounts as the API lists them.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, signIn } from './browser.js';
import { ADMIN, type TestServer } from './harness.js';

export interface AdminConsole {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

/** A Chromium (1280×800, en-US) signed in as the admin on `server`'s console. */
export async function openAdminConsole(server: TestServer): Promise<AdminConsole> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  await signIn(page, ADMIN, server.url);
  return {
    browser,
    context,
    page,
    close: async () => {
      await context.close();
      await browser.close();
    },
  };
}

/** Admin → Channel accounts → New account, with the kind picked (its value, "sms") and the name typed. */
export async function openNewAccountForm(page: Page, kind: string, name: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await page.getByRole('tab', { name: 'Channel accounts' }).click();
  await page.getByRole('button', { name: 'New account' }).click();
  const form = page.getByRole('form', { name: 'New channel account' });
  await form.getByLabel('Channel', { exact: true }).selectOption(kind);
  await form.getByLabel('Name', { exact: true }).fill(name);
  return form;
}

/** The channel accounts as GET /api/v1/channel-accounts lists them to `token`. */
export async function listAccounts(server: TestServer, token: string): Promise<any[]> {
  return (await server.api.request('GET', '/api/v1/channel-accounts', { token })).body.accounts;
}
