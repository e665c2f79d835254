import { expect, test } from './fixtures/test';
import { controlledByServiceWorker, installedBrowser, keptKeys } from './fixtures/installed';
import { DEMO } from './fixtures/login-page';

// A cold load's first paint shares the two cores with nothing it does not draw
// (src/first_paint.rs, ARCHITECTURE.md): the service worker is registered, IndexedDB is
// opened and `Intl`'s date data is loaded only after the board is painted — and then
// they all happen, so the app is still installed and kept for offline use.

test('a cold calendar load paints the board before it registers the worker, opens IndexedDB or loads Intl', async () => {
  const { context, page, close } = await installedBrowser();
  try {
    // Signed in without visiting a page, so the calendar is the profile's first load.
    const base = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
    const login = await context.request.post('/api/v1/auth/login', {
      data: { email: DEMO.alpen.email, password: DEMO.password },
      headers: { Origin: base },
    });
    expect(login.ok()).toBe(true);
    // When the page first does each of the three (performance.now(), as the marks).
    await context.addInitScript(() => {
      const first: Record<string, number> = {};
      (window as unknown as { __first: Record<string, number> }).__first = first;
      const record = (name: string) => {
        first[name] ??= performance.now();
      };
      const register = ServiceWorkerContainer.prototype.register;
      ServiceWorkerContainer.prototype.register = function (...args) {
        record('register');
        return register.apply(this, args);
      };
      const open = IDBFactory.prototype.open;
      IDBFactory.prototype.open = function (...args) {
        record('indexeddb');
        return open.apply(this, args);
      };
      const DateTimeFormat = Intl.DateTimeFormat;
      Intl.DateTimeFormat = new Proxy(DateTimeFormat, {
        construct(target, args) {
          record('intl');
          return Reflect.construct(target, args);
        },
      });
    });

    await page.goto('/calendar');
    await expect(page.getByRole('heading', { name: 'Calendar' })).toBeVisible();
    const painted = await page.waitForFunction(() => performance.getEntriesByName('board-painted')[0]?.startTime ?? null);
    const paintedAt = (await painted.jsonValue()) as number;
    // All three follow, in the first idle time after the paint.
    const first = await page.waitForFunction(() => {
      const first = (window as unknown as { __first: Record<string, number> }).__first;
      return first.register && first.indexeddb && first.intl ? first : null;
    });
    const at = (await first.jsonValue()) as Record<string, number>;
    for (const [what, when] of Object.entries(at)) {
      expect(when, `${what} at ${when.toFixed(0)} ms, board painted at ${paintedAt.toFixed(0)} ms`).toBeGreaterThan(paintedAt);
    }

    // And what they are for still happens: the worker controls the page, and what an
    // offline start needs is kept.
    await controlledByServiceWorker(page);
    await expect
      .poll(() => keptKeys(page))
      .toEqual(expect.arrayContaining(['identity', 'technicians', expect.stringMatching(/^board:/)]));
  } finally {
    await close();
  }
});
