import { request as apiRequest, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { expect, test } from './fixtures/test';
import { expectAccessible } from './fixtures/axe';
import { saveScreenshot } from './fixtures/artifacts';
import { postBooking, slotAt, signIn, technicians, uniqueName } from './fixtures/board';
import { CalendarPage } from './fixtures/calendar-page';
import { controlledByServiceWorker, installedBrowser, keptKeys } from './fixtures/installed';
import { DEMO, LoginPage } from './fixtures/login-page';

// Dispatching through a dropped connection (src/offline.rs): changes made offline are
// shown at once, marked pending, survive a reload, and reach the server exactly once when
// the connection returns; a colleague's change in between is a conflict the dispatcher
// decides; an answer lost on the way is repeated without doubling the change.
//
// These run in the installed browser (a persistent profile: the service worker serves
// the shell offline, IndexedDB outlives a reload). Its pages are not the suite's guarded
// ones, so `guard` below fails a test on page errors and console errors the same way —
// except the network failures an offline browser logs, which the app handles by queueing.

let nextDay = 20;

// Each test goes offline and back, and reloads: more than the default 30 s on two cores.
test.describe.configure({ timeout: 90_000 });

/** What Chromium logs for a request or socket an offline browser could not make (the
 * queue keeps the change; the live connection retries with backoff). */
const NETWORK_FAILURE = /^Failed to load resource|^WebSocket connection to '[^']+' failed: .*net::ERR_INTERNET_DISCONNECTED/;

/** Fails the test on uncaught page errors and console errors other than network failures. */
function guard(page: Page): () => void {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !NETWORK_FAILURE.test(m.text())) problems.push(`console.error: ${m.text()}`);
  });
  return () => expect(problems).toEqual([]);
}

/** An API session of Alpen's dispatcher of its own (not the browser's): checks what the
 * server holds, and plays the colleague who changes a call meanwhile. */
async function alpenApi(): Promise<APIRequestContext> {
  const api = await apiRequest.newContext({ baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:8080' });
  const login = await api.post('/api/v1/auth/login', { data: { email: DEMO.alpen.email, password: DEMO.password } });
  expect(login.status(), await login.text()).toBe(200);
  return api;
}

async function callOf(api: APIRequestContext, id: string) {
  const response = await api.get(`/api/v1/calls/${id}`);
  expect(response.ok(), await response.text()).toBeTruthy();
  return response.json();
}

/** A green call in Anna Keller's row at 08:00 UTC on a day of its own. */
async function greenCall(page: Page, request: APIRequestContext, api: APIRequestContext) {
  const name = uniqueName('Offline tap');
  const slot = slotAt(nextDay++, 8);
  const booking = await postBooking(request, { name, slot });
  const anna = (await technicians(page)).find((t) => t.name === 'Anna Keller')!;
  const accepted = await api.post(`/api/v1/calls/${booking.id}/accept`, { data: {} });
  expect(accepted.ok(), await accepted.text()).toBeTruthy();
  const patched = await api.patch(`/api/v1/calls/${booking.id}`, {
    data: { version: (await accepted.json()).version, technician_id: anna.id, client_called: true },
  });
  expect(patched.ok(), await patched.text()).toBeTruthy();
  const call = await patched.json();
  return { id: booking.id as string, name, slot, anna, version: call.version as number, day: slot.start.slice(0, 10) };
}

/** Drags the call's block `minutes` later in its row and confirms the move. */
async function dragLater(page: Page, calendar: CalendarPage, id: string, rowId: string, minutes: number) {
  const block = calendar.block(id);
  const perMinute = await calendar.pxPerMinute(rowId);
  const box = (await block.boundingBox())!;
  await calendar.mouseDrag(block, { x: box.x + 6 + perMinute * minutes, y: box.y + box.height / 2 });
  await calendar.drop();
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
}

/** A test in the installed browser, signed in as Alpen's dispatcher, with an API session
 * of its own; it fails on the page's errors like any guarded test. */
function installedTest(
  title: string,
  body: (t: { context: BrowserContext; page: Page; api: APIRequestContext; request: APIRequestContext }) => Promise<void>,
) {
  test(title, async ({ request }) => {
    const { context, page, close } = await installedBrowser();
    const checked = guard(page);
    const api = await alpenApi();
    try {
      await signIn(page, DEMO.alpen.email);
      await body({ context, page, api, request });
      checked();
    } finally {
      await api.dispose();
      await close();
    }
  });
}

/** The signed-in user's id (the kept keys name it). */
async function userId(page: Page): Promise<string> {
  return page.evaluate(async () => (await (await fetch('/api/v1/auth/me')).json()).user_id as string);
}

const minutesLater = (a: string, b: string) => (Date.parse(a) - Date.parse(b)) / 60_000;

installedTest('offline: a move and a note wait through a reload, then reach the server exactly once', async ({ context, page, api, request }) => {
  const call = await greenCall(page, request, api);
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(call.day);
  const block = calendar.block(call.id);
  await expect(block).toBeVisible();
  await controlledByServiceWorker(page);
  await expect.poll(() => keptKeys(page)).toEqual(expect.arrayContaining([expect.stringMatching(/^board:/)]));

  await context.setOffline(true);
  await expect(page.getByTestId('live-indicator')).toContainText('Offline');
  await dragLater(page, calendar, call.id, call.anna.id, 120);
  await expect(page.getByText('Saved on this device')).toBeVisible();
  // Pending in words, not only by its outline.
  await expect(block).toHaveAttribute('data-pending', 'Waiting to send');
  await expect(block).toHaveAttribute('aria-description', /Waiting to send/);

  await block.click();
  const modal = page.getByRole('dialog', { name: call.name });
  // What needs the server now is disabled, with the reason.
  await expect(modal.getByText('Offline: your changes are kept on this device')).toBeVisible();
  await expect(modal.getByRole('button', { name: 'Close order' })).toBeDisabled();
  const report = modal.getByRole('region', { name: 'Work report' });
  await report.getByLabel('New note').fill('Written while offline');
  await report.getByRole('button', { name: 'Add note' }).click();
  await expect(report.getByRole('listitem').filter({ hasText: 'Written while offline' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(modal).toBeHidden();

  const badge = page.getByTestId('queue-badge');
  await expect(badge).toHaveText('Offline — 2 changes waiting');
  await badge.click();
  const panel = page.getByRole('region', { name: 'Changes waiting to be sent' });
  await expect(panel.getByTestId('queue-item')).toHaveCount(2);
  await expect(panel.getByTestId('queue-item').nth(0)).toContainText('Move to');
  await expect(panel.getByTestId('queue-item').nth(1)).toContainText('Written while offline');
  await expectAccessible(page);

  // A reload offline: the shell from the worker, the board and the queue from IndexedDB.
  const movedTo = (await block.boundingBox())!.x;
  await page.reload();
  await calendar.showDay(call.day);
  await expect(badge).toHaveText('Offline — 2 changes waiting');
  await expect(block).toHaveAttribute('data-pending', 'Waiting to send');
  expect(Math.abs((await block.boundingBox())!.x - movedTo)).toBeLessThan(2);
  // Nothing reached the server yet.
  expect((await callOf(api, call.id)).version).toBe(call.version);

  await context.setOffline(false);
  await expect(badge).toBeHidden({ timeout: 20_000 });
  await expect(block).not.toHaveAttribute('data-pending', /.+/);
  const saved = await callOf(api, call.id);
  expect(minutesLater(saved.slot.start, call.slot.start)).toBe(120);
  expect(saved.technician_id).toBe(call.anna.id);
  expect(saved.report_notes.filter((n: { text: string }) => n.text === 'Written while offline')).toHaveLength(1);
  // Two changes, each once.
  expect(saved.version).toBe(call.version + 2);
});

installedTest('a colleague moved the call meanwhile: the conflict card shows both, and each choice ends as it says', async ({ context, page, api, request }) => {
  // Two calls on one day, one per choice.
  const mine = await greenCall(page, request, api);
  nextDay--;
  const theirs = await greenCall(page, request, api);
  // Same day as `mine`, two hours later, so the blocks do not overlap.
  const laterSlot = { start: new Date(Date.parse(mine.slot.start) + 3 * 3600_000).toISOString().replace('.000Z', 'Z'), end: new Date(Date.parse(mine.slot.end) + 3 * 3600_000).toISOString().replace('.000Z', 'Z') };
  const moved = await api.patch(`/api/v1/calls/${theirs.id}`, { data: { version: theirs.version, slot: laterSlot } });
  expect(moved.ok(), await moved.text()).toBeTruthy();
  theirs.version = (await moved.json()).version;
  theirs.slot = laterSlot;

  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(mine.day);
  await expect(calendar.block(mine.id)).toBeVisible();
  await expect(calendar.block(theirs.id)).toBeVisible();

  await context.setOffline(true);
  await expect(page.getByTestId('live-indicator')).toContainText('Offline');
  await dragLater(page, calendar, mine.id, mine.anna.id, 60);
  await dragLater(page, calendar, theirs.id, theirs.anna.id, 60);
  await expect(page.getByTestId('queue-badge')).toHaveText('Offline — 2 changes waiting');

  // Meanwhile a colleague moves both calls by 30 minutes.
  for (const c of [mine, theirs]) {
    const start = Date.parse(c.slot.start) + 30 * 60_000;
    const slot = { start: new Date(start).toISOString().replace('.000Z', 'Z'), end: new Date(start + 3600_000).toISOString().replace('.000Z', 'Z') };
    const response = await api.patch(`/api/v1/calls/${c.id}`, { data: { version: c.version, slot } });
    expect(response.ok(), await response.text()).toBeTruthy();
    c.version = (await response.json()).version;
  }

  await context.setOffline(false);
  const cards = page.getByTestId('conflict-card');
  await expect(cards).toHaveCount(2, { timeout: 20_000 });
  const mineCard = cards.filter({ hasText: mine.name });
  const theirsCard = cards.filter({ hasText: theirs.name });
  // The call as it is now beside the intended change.
  await expect(mineCard.getByTestId('conflict-now')).toContainText('Anna Keller');
  await expect(mineCard.getByTestId('conflict-mine')).toContainText('Move to');
  await expectAccessible(page);

  await theirsCard.getByRole('button', { name: 'Keep theirs' }).click();
  await expect(theirsCard).toHaveCount(0);
  await mineCard.getByRole('button', { name: 'Apply mine' }).click();
  await expect(page.getByTestId('queue-badge')).toBeHidden({ timeout: 20_000 });

  // Apply mine: the move, sent again on the colleague's version, won.
  const mineNow = await callOf(api, mine.id);
  expect(minutesLater(mineNow.slot.start, mine.slot.start)).toBe(60);
  expect(mineNow.version).toBe(mine.version + 1);
  // Keep theirs: the colleague's move stands and nothing more was sent.
  const theirsNow = await callOf(api, theirs.id);
  expect(minutesLater(theirsNow.slot.start, theirs.slot.start)).toBe(30);
  expect(theirsNow.version).toBe(theirs.version);
  await expect(calendar.block(mine.id)).not.toHaveAttribute('data-pending', /.+/);
});

test('an answer lost after the server made the change is repeated with its key and not doubled', async ({ request }) => {
  const { page, close } = await installedBrowser();
  const checked = guard(page);
  const api = await alpenApi();
  try {
    await signIn(page, DEMO.alpen.email);
    const call = await greenCall(page, request, api);
    const keys: string[] = [];
    const replayed: string[] = [];
    let lost = false;
    await page.route(`**/api/v1/calls/${call.id}/report`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key']);
      if (!lost) {
        lost = true;
        // The server handles it; the answer never reaches the page.
        await route.fetch();
        return route.abort('connectionreset');
      }
      const response = await route.fetch();
      replayed.push(response.headers()['idempotent-replayed'] ?? '');
      return route.fulfill({ response });
    });

    await page.goto(`/requests/${call.id}`);
    const modal = page.getByRole('dialog', { name: call.name });
    const report = modal.getByRole('region', { name: 'Work report' });
    await report.getByLabel('New note').fill('Sent once, answered twice');
    await report.getByRole('button', { name: 'Add note' }).click();

    await expect.poll(() => replayed.length, { timeout: 20_000 }).toBe(1);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(replayed[0]).toBe('true');
    await expect(page.getByTestId('queue-badge')).toBeHidden();
    const saved = await callOf(api, call.id);
    expect(saved.report_notes.filter((n: { text: string }) => n.text === 'Sent once, answered twice')).toHaveLength(1);
    expect(saved.version).toBe(call.version + 1);
    checked();
  } finally {
    await api.dispose();
    await close();
  }
});

installedTest('two tabs share one queue: both boards show it, one tab sends it, the server gets it once', async ({ context, page, api, request }) => {
  const call = await greenCall(page, request, api);
  const other = await context.newPage();
  const otherChecked = guard(other);
  await other.goto('/calendar');
  const otherCalendar = new CalendarPage(other);
  await otherCalendar.showDay(call.day);
  await expect(otherCalendar.block(call.id)).toBeVisible();
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(call.day);
  await expect(calendar.block(call.id)).toBeVisible();

  await context.setOffline(true);
  await expect(page.getByTestId('live-indicator')).toContainText('Offline');
  await dragLater(page, calendar, call.id, call.anna.id, 90);
  await expect(page.getByTestId('queue-badge')).toHaveText('Offline — 1 change waiting');
  // The other tab hears of it (BroadcastChannel) and shows the same queue.
  await expect(other.getByTestId('queue-badge')).toHaveText('Offline — 1 change waiting');
  // … and its board shows the change too: the block moved, marked as waiting.
  const left = async (c: CalendarPage) => (await c.block(call.id).boundingBox())!.x;
  await expect(otherCalendar.block(call.id)).toHaveAttribute('data-pending', 'Waiting to send');
  await expect.poll(async () => Math.abs((await left(otherCalendar)) - (await left(calendar)))).toBeLessThan(2);

  // Both tabs see the connection return and both try to send; the lock lets one.
  await context.setOffline(false);
  await expect(page.getByTestId('queue-badge')).toBeHidden({ timeout: 20_000 });
  await expect(other.getByTestId('queue-badge')).toBeHidden({ timeout: 20_000 });
  await expect(otherCalendar.block(call.id)).not.toHaveAttribute('data-pending', /.+/);
  await expect.poll(async () => Math.abs((await left(otherCalendar)) - (await left(calendar)))).toBeLessThan(2);
  const saved = await callOf(api, call.id);
  expect(minutesLater(saved.slot.start, call.slot.start)).toBe(90);
  expect(saved.version).toBe(call.version + 1);
  otherChecked();
});

installedTest('offline, a call opened before shows its whole order; one never opened says what is not on this device', async ({ context, page, api, request }) => {
  // The board answer holds each call's summary; the modal reads the call whole and keeps it.
  const opened = await greenCall(page, request, api);
  const unopened = await greenCall(page, request, api);
  const calendar = new CalendarPage(page);
  await page.reload();
  await controlledByServiceWorker(page);
  await calendar.showDay(opened.day);
  await calendar.block(opened.id).click();
  let modal = page.getByRole('dialog', { name: opened.name });
  const packageRow = (m: typeof modal) => m.getByRole('region', { name: 'Order' }).getByRole('row').filter({ hasText: opened.name });
  await expect(packageRow(modal)).toBeVisible();
  await expect(modal.getByTestId('order-summary-only')).toHaveCount(0);
  await expect.poll(() => keptKeys(page)).toEqual(expect.arrayContaining([`call:${await userId(page)}:${opened.id}`, expect.stringMatching(/^board:/)]));
  await page.keyboard.press('Escape');
  await expect(modal).toBeHidden();

  // Offline, from the worker's shell and the kept board (summaries).
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  await calendar.showDay(opened.day);
  await calendar.block(opened.id).click();
  modal = page.getByRole('dialog', { name: opened.name });
  await expect(packageRow(modal)).toBeVisible();
  await expect(modal.getByTestId('order-summary-only')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(modal).toBeHidden();

  await calendar.showDay(unopened.day);
  await calendar.block(unopened.id).click();
  modal = page.getByRole('dialog', { name: unopened.name });
  await expect(modal.getByTestId('order-summary-only')).toContainText('not opened on this device');
  const order = modal.getByRole('region', { name: 'Order' });
  await expect(order.getByTestId('order-total')).toHaveText('CHF 120.00');
  await expect(order.getByLabel('Agreed package price')).toHaveCount(0);
  await expectAccessible(page);
  await saveScreenshot(page, 'offline-summary-modal');
  await page.keyboard.press('Escape');
  await context.setOffline(false);
});

installedTest('changes queued for a call in the "to assign" list: marked on its card in words, the total counts the new line, each sent once', async ({ context, page, api, request }) => {
  const name = uniqueName('Offline card');
  const booking = await postBooking(request, { name, slot: null });
  const accepted = await api.post(`/api/v1/calls/${booking.id}/accept`, { data: {} });
  expect(accepted.ok(), await accepted.text()).toBeTruthy();
  const version = (await accepted.json()).version as number;
  await page.reload();
  const card = page.getByRole('region', { name: /Accepted — to assign/ }).getByRole('article').filter({ hasText: name });
  await expect(card).toBeVisible();
  await controlledByServiceWorker(page);
  await expect.poll(() => keptKeys(page)).toEqual(expect.arrayContaining([expect.stringMatching(/^board:/)]));

  await context.setOffline(true);
  await expect(page.getByTestId('live-indicator')).toContainText('Offline');
  await card.getByRole('link', { name }).click();
  const modal = page.getByRole('dialog', { name });
  const report = modal.getByRole('region', { name: 'Work report' });
  await report.getByLabel('New note').fill('Client asked for a call back');
  await report.getByRole('button', { name: 'Add note' }).click();
  await expect(report.getByRole('listitem').filter({ hasText: 'Client asked for a call back' })).toBeVisible();
  // A queued line counts in the total at once, priced by the domain's own rule.
  const order = modal.getByRole('region', { name: 'Order' });
  await expect(order.getByTestId('order-total')).toHaveText('CHF 120.00');
  await order.getByRole('button', { name: 'One unit more' }).click();
  await order.getByRole('button', { name: 'Add time' }).click();
  await expect(order.getByTestId('order-total')).toHaveText('CHF 180.00');
  await page.keyboard.press('Escape');
  await expect(modal).toBeHidden();
  await expect(card.getByTestId('pending-badge')).toHaveText('Waiting to send');
  await expectAccessible(page);

  await context.setOffline(false);
  await expect(page.getByTestId('queue-badge')).toBeHidden({ timeout: 20_000 });
  await expect(card.getByTestId('pending-badge')).toHaveCount(0);
  const saved = await callOf(api, booking.id);
  expect(saved.report_notes.filter((n: { text: string }) => n.text === 'Client asked for a call back')).toHaveLength(1);
  expect(saved.order.total.amount_minor).toBe(18000);
  expect(saved.version).toBe(version + 2);
});

installedTest('signed out while changes wait: the queue pauses, is kept, and is sent once after signing in again', async ({ context, page, api, request }) => {
  const call = await greenCall(page, request, api);
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(call.day);
  await expect(calendar.block(call.id)).toBeVisible();
  await controlledByServiceWorker(page);

  await context.setOffline(true);
  await expect(page.getByTestId('live-indicator')).toContainText('Offline');
  await dragLater(page, calendar, call.id, call.anna.id, 60);
  await expect(page.getByTestId('queue-badge')).toHaveText('Offline — 1 change waiting');

  // The session ends meanwhile (expired, or signed out elsewhere): the replay's 401
  // pauses the queue instead of dropping it, and says so.
  await context.clearCookies();
  await context.setOffline(false);
  await expect(page.getByText('Signed out: 1 change waiting is kept on this device')).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(/\/login/);
  expect((await callOf(api, call.id)).version).toBe(call.version);

  // Signing in again sends it, once.
  await new LoginPage(page).signIn(DEMO.alpen.email, DEMO.password);
  await expect(page).toHaveURL(/\/calendar/);
  await expect.poll(async () => (await callOf(api, call.id)).version, { timeout: 20_000 }).toBe(call.version + 1);
  const saved = await callOf(api, call.id);
  expect(minutesLater(saved.slot.start, call.slot.start)).toBe(60);
  await expect(page.getByTestId('queue-badge')).toBeHidden();
});
