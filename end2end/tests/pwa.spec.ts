import { expect, test } from './fixtures/test';
import { postBooking, signIn, slotAt, uniqueName } from './fixtures/board';
import { controlledByServiceWorker, installedBrowser, keptKeys } from './fixtures/installed';
import { DEMO } from './fixtures/login-page';

// The installed app: Chromium's own installability checks pass, the service worker
// controls the page, and offline the app opens to the last board it saw.

test('the app is installable: a complete manifest, no installability errors, a worker in control', async () => {
  const { context, page, close } = await installedBrowser();
  try {
    await signIn(page, DEMO.alpen.email);
    await controlledByServiceWorker(page);

    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.errors).toEqual([]);
    expect(manifest.url).toMatch(/\/public\/manifest\.webmanifest$/);
    const data = JSON.parse(manifest.data);
    expect(data).toMatchObject({ id: '/', scope: '/', start_url: '/', display: 'standalone' });
    expect(data.description.length).toBeGreaterThan(20);
    const icons: { src: string; sizes: string; type: string; purpose: string }[] = data.icons;
    for (const [sizes, purpose] of [['192x192', 'any'], ['512x512', 'any'], ['512x512', 'maskable']]) {
      const icon = icons.find((i) => i.sizes === sizes && i.purpose === purpose && i.type === 'image/png');
      expect(icon, `${sizes} ${purpose}`).toBeTruthy();
      // Content-hashed names: a changed icon is a new URL, so it may be cached for a year.
      expect(icon!.src).toMatch(/-[0-9a-f]{16}\.png$/);
      const response = await page.request.get(icon!.src);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toBe('image/png');
      expect(response.headers()['cache-control']).toContain('immutable');
    }
    const screenshots: { form_factor: string; src: string }[] = data.screenshots;
    expect(screenshots.map((s) => s.form_factor).sort()).toEqual(['narrow', 'wide']);
    for (const shot of screenshots) expect((await page.request.get(shot.src)).status()).toBe(200);
    await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute('href', /-[0-9a-f]{16}\.png$/);

    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
  } finally {
    await close();
  }
});

test('offline, the app opens to the last board, changes kept for later; back online it goes Live with what came meanwhile', async ({ request }) => {
  const { context, page, close } = await installedBrowser();
  try {
    const earlier = uniqueName('Seen before offline');
    await postBooking(request, { name: earlier, slot: slotAt(1, 9) });
    await signIn(page, DEMO.alpen.email);
    const indicator = page.getByTestId('live-indicator');
    const requests = page.getByRole('region', { name: /Requests/ });
    await expect(indicator).toContainText('Live');
    await expect(requests.getByRole('article').filter({ hasText: earlier })).toBeVisible();
    await controlledByServiceWorker(page);
    await expect.poll(() => keptKeys(page)).toEqual(expect.arrayContaining(['identity', 'technicians', expect.stringMatching(/^board:/)]));

    await context.setOffline(true);
    await page.reload();
    // The shell comes from the worker's cache, the board from IndexedDB.
    const banner = page.getByTestId('offline-banner');
    await expect(banner).toContainText(/Offline — board as of .*\d{1,2}:\d{2}/);
    await expect(banner).toContainText('Changes are kept on this device and sent when the connection returns');
    await expect(indicator).toContainText('Offline');
    await expect(page.getByTestId('company-name')).toHaveText(DEMO.alpen.company);
    await expect(requests.getByRole('article').filter({ hasText: earlier })).toBeVisible();
    await expect(page.locator('.timeline__row').first()).toBeVisible();

    // A booking arrives while this board cannot hear of it.
    const meanwhile = uniqueName('Posted while offline');
    await postBooking(request, { name: meanwhile, slot: slotAt(2, 10) });
    await expect(requests.getByRole('article').filter({ hasText: meanwhile })).toHaveCount(0);

    await context.setOffline(false);
    await expect(indicator).toContainText('Live', { timeout: 15_000 });
    await expect(requests.getByRole('article').filter({ hasText: meanwhile })).toBeVisible();
    await expect(banner).toBeHidden();
  } finally {
    await close();
  }
});

test('signing out forgets what was kept for offline use', async () => {
  const { page, close } = await installedBrowser();
  try {
    await signIn(page, DEMO.alpen.email);
    await expect.poll(() => keptKeys(page)).toEqual(expect.arrayContaining([expect.stringMatching(/^board:/)]));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await expect.poll(() => keptKeys(page)).toEqual([]);
  } finally {
    await close();
  }
});
