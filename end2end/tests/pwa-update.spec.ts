import { expect, test } from './fixtures/test';
import { signIn } from './fixtures/board';
import { controlledByServiceWorker, installedBrowser } from './fixtures/installed';
import { DEMO } from './fixtures/login-page';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the server serves the built app from (`cargo xtask test` serves the repo's dist/). */
const DIST = process.env.DIST_DIR ?? join(__dirname, '..', '..', 'dist');

// A new build: the browser finds a changed sw.js when the tab becomes visible again, the
// app says "A new version is ready — Reload", never reloads by itself, and Reload
// switches to the new worker.

test('a new version waiting is announced, and only Reload switches to it', async () => {
  const { page, close } = await installedBrowser();
  let restore = () => {};
  try {
    await signIn(page, DEMO.alpen.email);
    await controlledByServiceWorker(page);
    const banner = page.getByTestId('update-banner');
    await expect(banner).toBeHidden();

    // From now on the server has a new build: the same worker with other bytes, written
    // where the server serves it from (a browser fetches a worker's update itself, out of
    // reach of Playwright's request routing). The precompressed copies go aside so the
    // changed file is what is sent; everything is put back afterwards.
    const original = new Map(
      ['sw.js', 'sw.js.br', 'sw.js.gz'].map((name) => [name, existsSync(join(DIST, name)) ? readFileSync(join(DIST, name)) : null]),
    );
    restore = () => {
      for (const [name, bytes] of original) if (bytes) writeFileSync(join(DIST, name), bytes);
    };
    rmSync(join(DIST, 'sw.js.br'), { force: true });
    rmSync(join(DIST, 'sw.js.gz'), { force: true });
    writeFileSync(join(DIST, 'sw.js'), `${original.get('sw.js')}\n// a newer build\n`);
    await page.evaluate(() => {
      (window as unknown as { stillThisPage: boolean }).stillThisPage = true;
      // The tab "comes back": the app checks for an update.
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect(banner).toContainText('A new version is ready');
    // It waits for the dispatcher, whatever they are doing.
    expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(true);

    // Reload hands over to the new worker, then loads the page anew.
    await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
    expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage ?? false)).toBe(false);
    await expect(page.getByTestId('live-indicator')).toContainText('Live');
    await expect(banner).toBeHidden();
    const waiting = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null);
    expect(waiting).toBeNull();
  } finally {
    restore();
    await close();
  }
});
