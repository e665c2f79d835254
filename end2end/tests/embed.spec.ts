import { expect, test, type Page } from './fixtures/test';
import type { APIRequestContext, Frame } from '@playwright/test';
import { saveScreenshot } from './fixtures/artifacts';
import { expectAccessible } from './fixtures/axe';
import { postBooking, slotAt, uniqueName } from './fixtures/board';
import { DEMO } from './fixtures/login-page';
import { startPartnerHost } from './fixtures/partner-host';

/**
 * The board embedded in a partner's website, cross-site for real: the app runs on
 * http://127.0.0.1:PORT, the partner pages on http://localhost:4100 (allowed for Alpen)
 * and http://localhost:4101 (not allowed) — different sites, so the frame is
 * third-party, which the canary cookie checks before anything else is trusted.
 */

const RELAY = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const ALLOWED = 4100;
const REFUSED = 4101;

let hosts: { close: () => Promise<void> }[] = [];

test.beforeAll(async () => {
  hosts = [
    await startPartnerHost({ port: ALLOWED, relay: RELAY, email: DEMO.alpen.email }),
    // 4101 mints a token for 4100 (the only origin Alpen allows) and tries to use it.
    await startPartnerHost({
      port: REFUSED,
      relay: RELAY,
      email: DEMO.alpen.email,
      tokenOrigin: `http://localhost:${ALLOWED}`,
    }),
  ];
});

test.afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
});

/** The board's frame inside the partner page. */
async function boardFrame(page: Page): Promise<Frame> {
  const handle = await page.locator('iframe[data-relay-frame]').elementHandle();
  const frame = await handle!.contentFrame();
  return frame!;
}

/** A session of Alpen's dispatcher for API set-up (its own cookie jar). */
async function alpenApi(request: APIRequestContext): Promise<APIRequestContext> {
  const login = await request.post('/api/v1/auth/login', {
    data: { email: DEMO.alpen.email, password: DEMO.password },
  });
  expect(login.ok()).toBeTruthy();
  return request;
}

test('the partner token signs in the framed board: drag, accept, live, height — cross-site for real', async ({ page, request }) => {
  // The canary: a SameSite=Lax cookie of the app's site. A third-party frame never sees
  // it; a first-party page does. Without this, a "cross-site" result proves nothing.
  await page.context().addCookies([
    { name: 'canary', value: 'lax', url: RELAY, sameSite: 'Lax' },
  ]);

  const api = await alpenApi(request);
  const techs = await (await api.get('/api/v1/technicians')).json();
  const anna = techs.find((t: { name: string }) => t.name === 'Anna Keller');
  const luca = techs.find((t: { name: string }) => t.name === 'Luca Brunner');
  const dragName = uniqueName('Embedded drag');
  const slot = slotAt(9, 8);
  const dragged = await postBooking(request, { name: dragName, slot });
  const accepted = await (await api.post(`/api/v1/calls/${dragged.id}/accept`, { data: {} })).json();
  const patched = await api.patch(`/api/v1/calls/${dragged.id}`, {
    data: { version: accepted.version, technician_id: anna.id, client_called: true },
  });
  expect(patched.ok()).toBeTruthy();

  await page.goto(`http://localhost:${ALLOWED}/`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'Sandra Meier', { timeout: 20_000 });
  const frame = await boardFrame(page);
  expect(new URL(frame.url()).origin).toBe(RELAY);

  // Really third-party: the Lax canary is invisible in the frame, visible first-party.
  expect(await frame.evaluate(() => document.cookie)).not.toContain('canary=lax');
  const firstParty = await page.context().newPage();
  await firstParty.goto(`${RELAY}/embed.js`);
  expect(await firstParty.evaluate(() => document.cookie)).toContain('canary=lax');
  await firstParty.close();

  // Did Chromium keep the partitioned session cookie? A bare fetch (no bearer) says.
  const cookieStatus = await frame.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status));
  const partitioned = (await page.context().cookies(RELAY)).filter((c) => c.name === 'dispatch_session');
  test.info().annotations.push({
    type: 'partitioned-cookie',
    description: `me with the cookie alone: ${cookieStatus}; cookies: ${JSON.stringify(partitioned.map((c) => ({ sameSite: c.sameSite, secure: c.secure, partitionKey: (c as { partitionKey?: string }).partitionKey })))}`,
  });
  expect([200, 401]).toContain(cookieStatus);

  // The same board: the company's brand colour, the dispatcher's name.
  await expect(frame.getByTestId('company-name')).toHaveText('Alpen Sanitär AG');
  const brand = await frame.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--brand').trim());
  expect(brand).toBe('#1f6feb');

  // The frame's height follows its content.
  await expect
    .poll(async () => {
      const inner = await frame.evaluate(() => document.body.scrollHeight);
      const outer = (await page.locator('iframe[data-relay-frame]').boundingBox())!.height;
      return Math.abs(inner - outer);
    })
    .toBeLessThanOrEqual(1);
  const before = (await page.locator('iframe[data-relay-frame]').boundingBox())!.height;
  expect(before).toBeGreaterThan(480);

  // A live booking appears in the frame; accepting it works.
  const liveName = uniqueName('Embedded live');
  const live = await postBooking(request, { name: liveName, slot: slotAt(10, 9) });
  const requests = frame.getByRole('region', { name: /Requests/ });
  await expect(requests.getByRole('article').filter({ hasText: liveName })).toBeVisible();
  await requests.getByRole('link', { name: liveName }).click();
  const modal = frame.getByRole('dialog', { name: liveName });
  // The link stayed inside the embed: no page outside /embed/ (those refuse framing).
  expect(new URL(frame.url()).pathname).toMatch(new RegExp(`^/embed/[^/]+/requests/${live.id}$`));
  const outside = await frame.evaluate(() =>
    [...document.querySelectorAll('a[href^="/"]')].map((a) => a.getAttribute('href')!).filter((h) => !h.startsWith('/embed/')),
  );
  expect(outside).toEqual([]);
  await modal.getByRole('button', { name: 'Accept' }).click();
  await expect(modal.getByRole('alert').filter({ hasText: 'Call the client now' })).toBeVisible();
  const afterAccept = await (await api.get(`/api/v1/calls/${live.id}`)).json();
  expect(afterAccept.status).not.toBe('requested');
  await modal.getByRole('button', { name: 'Close', exact: true }).click();
  await saveScreenshot(page, 'embed-partner-page');

  // A drag to Luca's row, confirmed, holds on the server.
  await frame.getByRole('button', { name: 'Day', exact: true }).click();
  await frame.getByLabel('Go to date').fill(slot.start.slice(0, 10));
  await frame.getByLabel('Go to date').dispatchEvent('change');
  const block = frame.locator(`[data-call-id="${dragged.id}"]`);
  await expect(block).toBeVisible();
  await block.scrollIntoViewIfNeeded();
  const box = (await block.boundingBox())!;
  const target = (await frame.locator(`.timeline__row[data-row="${luca.id}"] .timeline__lane`).boundingBox())!;
  await page.mouse.move(box.x + 6, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) {
    await page.mouse.move(box.x + 6, box.y + box.height / 2 + ((target.y + target.height / 2 - box.y - box.height / 2) * i) / 8);
  }
  await expect(frame.getByTestId('drag-ghost')).toContainText('Luca Brunner');
  await page.mouse.up();
  const confirm = frame.getByRole('dialog', { name: /^Move to/ });
  await expect(confirm).toContainText('Luca Brunner');
  await confirm.getByRole('button', { name: 'Confirm' }).click();
  await expect(frame.getByText('Call moved.')).toBeVisible();
  const moved = await (await api.get(`/api/v1/calls/${dragged.id}`)).json();
  expect(moved.technician_id).toBe(luca.id);

  // The height still follows after the view changed.
  await expect
    .poll(async () => {
      const inner = await frame.evaluate(() => document.body.scrollHeight);
      const outer = (await page.locator('iframe[data-relay-frame]').boundingBox())!.height;
      return Math.abs(inner - outer);
    })
    .toBeLessThanOrEqual(1);
  // No service worker in the frame.
  // (A third-party frame may not even ask: Chromium then refuses the question itself.)
  expect(await frame.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
  const registrations = await frame.evaluate(() =>
    navigator.serviceWorker.getRegistrations().then((r) => r.length, (e: Error) => e.name),
  );
  expect([0, 'NotSupportedError', 'SecurityError']).toContain(registrations);
});

test('a partner site that is not allowed gets no board, and a token minted for 4100 is refused there', async ({ page, request, pageGuard }) => {
  await page.goto(`http://localhost:${REFUSED}/`);
  // The browser blocks the frame (frame-ancestors): it never reaches the app.
  const frameElement = page.locator('iframe[data-relay-frame]');
  await expect(frameElement).toHaveCount(1);
  await expect
    .poll(async () => pageGuard.some((p) => /frame-ancestors/.test(p)))
    .toBe(true);
  const frame = await boardFrame(page);
  expect(await frame.locator('[data-testid="company-name"]').count()).toBe(0);
  await expect(page.locator('body')).not.toHaveAttribute('data-ready', /.+/);

  // And a token minted for 4100, presented as coming from 4101, is refused.
  const minted = await request.post('/api/v1/embed/tokens', {
    headers: { Authorization: 'Bearer demo-partner-key-alpen' },
    data: { email: DEMO.alpen.email, origin: `http://localhost:${ALLOWED}` },
  });
  const { token } = await minted.json();
  const refused = await request.post('/api/v1/embed/session', {
    data: { token, origin: `http://localhost:${REFUSED}` },
  });
  expect(refused.status()).toBe(403);
  // The browser's refusal of the frame is the expected outcome here, not a fault.
  // (Chromium 156 words it "Framing '…' violates … frame-ancestors …"; older ones "Refused
  // to frame …"). Only a list naming the allowed partner is expected, never 'none'.
  const expected = (p: string) =>
    /(Refused to frame|Framing) .*"frame-ancestors http:\/\/localhost:4100"/s.test(p);
  const rest = pageGuard.filter((p) => !expected(p));
  pageGuard.splice(0, pageGuard.length, ...rest);
});

test('a frame whose browser keeps no cookie still works on the bearer alone, and goes live through a socket ticket', async ({ page, request }) => {
  // Safari and browsers that block third-party cookies keep no session cookie in the
  // frame, partitioned or not: the answer that would set it arrives here without it.
  await page.route('**/api/v1/embed/session', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['set-cookie'];
    await route.fulfill({ response, headers });
  });
  await page.goto(`http://localhost:${ALLOWED}/`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'Sandra Meier', { timeout: 20_000 });
  const frame = await boardFrame(page);
  await expect(frame.getByTestId('company-name')).toHaveText('Alpen Sanitär AG');
  // No cookie: a request without the bearer is not signed in.
  expect(await frame.evaluate(() => fetch('/api/v1/auth/me').then((r) => r.status))).toBe(401);

  // The socket opened with a ticket (a WebSocket carries no Authorization header) …
  await expect(frame.getByTestId('live-indicator')).toContainText('Live');
  // … and brings a new booking to the frame's board.
  const name = uniqueName('Bearer-only live');
  await postBooking(request, { name, slot: slotAt(11, 9) });
  await expect(frame.getByRole('region', { name: /Requests/ }).getByRole('article').filter({ hasText: name })).toBeVisible();
});

test('without a partner token the frame offers our own sign-in window, which hands the frame its session', async ({ page }) => {
  await page.goto(`http://localhost:${ALLOWED}/?signin=popup`);
  const frame = await boardFrame(page);
  const signIn = frame.getByRole('button', { name: 'Sign in' });
  await expect(signIn).toBeVisible({ timeout: 20_000 });
  await expect(frame.getByText("Sign in to see your company's dispatch board here.")).toBeVisible();

  // The window is first-party (our origin, top level) and names the partner site.
  const opened = page.context().waitForEvent('page');
  await signIn.click();
  const popup = await opened;
  await popup.waitForLoadState();
  expect(new URL(popup.url()).origin).toBe(RELAY);
  expect(new URL(popup.url()).pathname).toMatch(/^\/embed-signin\/[0-9a-f-]{36}$/);
  await expect(popup.getByRole('heading', { name: 'Sign in to the embedded board' })).toBeVisible();
  await expect(popup.getByText(`The board on http://localhost:${ALLOWED} will open with this account.`)).toBeVisible();
  await saveScreenshot(popup, 'embed-signin-popup');
  // Its opener survived (COOP unsafe-none on this page only).
  expect(await popup.evaluate(() => window.opener !== null)).toBe(true);

  // A wrong password stays in the window.
  await popup.getByLabel('E-mail').fill(DEMO.alpen.email);
  await popup.getByLabel('Password').fill('wrong-password');
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await expect(popup.getByRole('alert')).toContainText('E-mail or password is wrong');

  // The right one: the window hands over and closes; the frame shows the board.
  await popup.getByLabel('Password').fill(DEMO.password);
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await closed;
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'Sandra Meier', { timeout: 20_000 });
  await expect(frame.getByTestId('company-name')).toHaveText('Alpen Sanitär AG');
  await expect(frame.getByTestId('live-indicator')).toContainText('Live');

  // Signed out in the frame, the window remembers the first-party sign-in: one click.
  await frame.getByRole('button', { name: 'Sign out' }).click();
  await expect(frame.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-expired', 'yes');
  const again = page.context().waitForEvent('page');
  await frame.getByRole('button', { name: 'Sign in' }).click();
  const second = await again;
  await expect(second.getByText('Signed in as Sandra Meier (dispatcher@alpen.example).')).toBeVisible();
  await expect(second.getByRole('button', { name: 'Use another account' })).toBeVisible();
  const closedAgain = second.waitForEvent('close');
  await second.getByRole('button', { name: 'Continue as Sandra Meier' }).click();
  await closedAgain;
  await expect(frame.getByTestId('company-name')).toHaveText('Alpen Sanitär AG');
});

test('the sign-in window opened on its own hands nothing over', async ({ page, request }) => {
  const minted = await request.post('/api/v1/embed/tokens', {
    headers: { Authorization: 'Bearer demo-partner-key-alpen' },
    data: { email: DEMO.alpen.email, origin: `http://localhost:${ALLOWED}` },
  });
  const { company_id } = await minted.json();
  await page.goto(`/embed-signin/${company_id}?origin=http://localhost:${ALLOWED}`);
  await expect(page.getByRole('alert')).toContainText("Open it from the board's “Sign in” button.");
  await expect(page.getByLabel('E-mail')).toHaveCount(0);
});

test("the framed board shows the company's own logo from the company's site, allowed by the frame's policy alone", async ({ page, request }) => {
  const api = await alpenApi(request);
  const logo = `http://localhost:${ALLOWED}/logo.svg`;
  const set = await api.patch('/api/v1/company/settings', { data: { logo_url: logo } });
  expect(set.ok()).toBeTruthy();
  try {
    await page.goto(`http://localhost:${ALLOWED}/`);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'Sandra Meier', { timeout: 20_000 });
    const frame = await boardFrame(page);
    const img = frame.getByTestId('company-logo');
    await expect(img).toBeVisible();
    await expect(img).toHaveAttribute('src', logo);
    // Loaded (not blocked: the guard fails the spec on any CSP violation).
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(96);
    await expect(frame.getByTestId('company-name')).toHaveText('Alpen Sanitär AG');
    await saveScreenshot(page, 'embed-logo');
    // Only the embed names the logo in its policy; the app's own pages do not.
    const embedCsp = (await request.get(new URL(frame.url()).pathname)).headers()['content-security-policy'];
    expect(embedCsp).toContain(`img-src 'self' data: blob: ${logo};`);
    const appCsp = (await request.get('/login')).headers()['content-security-policy'];
    expect(appCsp).toContain("img-src 'self' data: blob:;");
  } finally {
    const reset = await api.patch('/api/v1/company/settings', { data: { logo_url: '' } });
    expect(reset.ok()).toBeTruthy();
  }
});

test("the partner page's language wins in the frame: French on request, whatever the account chose", async ({ page }) => {
  await page.goto(`http://localhost:${ALLOWED}/?locale=fr`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'Sandra Meier', { timeout: 20_000 });
  const frame = await boardFrame(page);
  await expect(frame.locator('html')).toHaveAttribute('lang', /^fr/);
  await expect(frame.getByRole('link', { name: 'Calendrier' })).toBeVisible();
});

/** WCAG's contrast ratio of two computed `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (c: string) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

test("the partner page's dark theme: dark from the loading screen on, the brand colour kept readable, nothing serious for axe", async ({ page, request }) => {
  await page.goto(`http://localhost:${ALLOWED}/?theme=dark`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'Sandra Meier', { timeout: 20_000 });
  const frame = await boardFrame(page);
  // The server wrote the theme into the page, so the loading screen was dark already.
  const served = await (await request.get(new URL(frame.url()).pathname + '?theme=dark')).text();
  expect(served).toMatch(/<html data-theme="dark">/);
  await expect(frame.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await frame.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(18, 26, 30)');
  await expect(frame.locator('.calendar')).toHaveCSS('background-color', 'rgb(27, 38, 44)');
  // Alpen's blue (#1f6feb) still fills the header; as text on the dark surface (the
  // current tab) it is lightened until it reads.
  await expect(frame.locator('.topbar')).toHaveCSS('background-color', 'rgb(31, 111, 235)');
  const tab = frame.locator('.tabs__tab[aria-current="page"]');
  const [ink, ground] = await tab.evaluate((t) => [getComputedStyle(t).color, getComputedStyle(t).backgroundColor]);
  expect(ink).not.toBe('rgb(31, 111, 235)');
  expect(contrast(ink, ground)).toBeGreaterThanOrEqual(4.5);
  await expect(frame.locator('.block').first()).toBeVisible();
  await expectAccessible(page);
  await saveScreenshot(page, 'embed-dark');

  // A request's modal, dark too.
  const requests = frame.getByRole('region', { name: /Requests/ });
  const first = requests.getByRole('article').first();
  await first.getByRole('link').first().click();
  const modal = frame.getByRole('dialog');
  await expect(modal).toBeVisible();
  await expect(modal).toHaveCSS('background-color', 'rgb(27, 38, 44)');
  await expectAccessible(page);
  await saveScreenshot(page, 'embed-dark-modal');
});

test("theme \"auto\" follows the visitor's system setting, and keeps following it", async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`http://localhost:${ALLOWED}/?theme=auto`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'Sandra Meier', { timeout: 20_000 });
  const frame = await boardFrame(page);
  await expect(frame.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(frame.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await frame.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(244, 246, 247)');
  // No theme asked: light, whatever the system says.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`http://localhost:${ALLOWED}/`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'Sandra Meier', { timeout: 20_000 });
  await expect((await boardFrame(page)).locator('html')).toHaveAttribute('data-theme', 'light');
});
