/**
 * Opening the /report page in Chromium as a user would: signed in with the
 * API key, collecting every console error and uncaught exception.
 */
import type { Browser, Page, Response } from 'playwright-core';

/** Opens `url` (a /report URL) with the key and waits until the page has drawn. */
export async function openReport(
  browser: Browser,
  url: string,
  apiKey: string,
): Promise<{ page: Page; problems: string[]; response: Response | null }> {
  const context = await browser.newContext({
    httpCredentials: { username: 'sma', password: apiKey },
    viewport: { width: 1100, height: 1600 },
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  const response = await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, problems, response };
}
