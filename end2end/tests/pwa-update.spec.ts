import { expect, test } from '@playwright/test';
import { signIn } from './fixtures/board';
import { controlledByServiceWorker, installedBrowser } from './fixtures/installed';
import { DEMO } from './fixtures/login-page';

// A new build: the browser finds a changed sw.js when the tab becomes visible again, the
// app says "A new version is ready — Reload", never reloads by itself, and Reload
// switches to the new worker.

test('a new version waiting is announced, and only Reload switches to it', async () => {
  const { context, page, close } = await installedBrowser();
  try {
    await signIn(page, DEMO.alpen.email);
    await controlledByServiceWorker(page);
    const banner = page.getByTestId('update-banner');
    await expect(banner).toBeHidden();

    // From now on the server "has" a new build: the same worker with other bytes.
    await context.route('**/sw.js', async (route) => {
      const current = await route.fetch({ headers: { ...route.request().headers(), 'accept-encoding': 'identity' } });
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/javascript', 'cache-control': 'no-cache' },
        body: `${await current.text()}\n// a newer build\n`,
      });
    });
    await page.evaluate(() => {
      (window as unknown as { stillThisPage: boolean }).stillThisPage = true;
      // The tab "comes back": the app checks for an update.
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect(banner).toContainText('A new version is ready');
    // It waits for the dispatcher, whatever they are doing.
    expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(true);

    await banner.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage ?? false)).toBe(false);
    await expect(page.getByTestId('live-indicator')).toContainText('Live');
    await expect(banner).toBeHidden();
    const waiting = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null);
    expect(waiting).toBeNull();
  } finally {
    await close();
  }
});
