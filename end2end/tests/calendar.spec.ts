import { expect, test, type Page } from './fixtures/test';
import { expectAccessible } from './fixtures/axe';
import { saveScreenshot } from './fixtures/artifacts';
import { acceptAndPatch, getCall, outbox, postBooking, signIn, slotAt, technicians, uniqueName } from './fixtures/board';
import { CalendarPage } from './fixtures/calendar-page';
import { DEMO } from './fixtures/login-page';

let nextDay = 5;

/** A green call in Anna Keller's row at 08:00 UTC, each test on a day of its own so no
 * two tests' blocks sit on top of each other. */
async function greenCallForAnna(page: Page, request: Parameters<typeof postBooking>[0]) {
  const name = uniqueName('Fix a leaking tap');
  const slot = slotAt(nextDay++, 8);
  const booking = await postBooking(request, { name, slot });
  const techs = await technicians(page);
  const anna = techs.find((t) => t.name === 'Anna Keller')!;
  const call = await acceptAndPatch(page, booking.id, { technician_id: anna.id, client_called: true });
  expect(call.colour).toBe('green');
  return { id: booking.id, name, slot, techs, anna, day: slot.start.slice(0, 10) };
}

test.beforeEach(async ({ page }) => {
  await signIn(page, DEMO.alpen.email);
});

test('drag a call to a later time in its row; the server holds the new slot', async ({ page, request }) => {
  const { id, anna, slot, day } = await greenCallForAnna(page, request);
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(day);
  const block = calendar.block(id);
  await expect(block).toBeVisible();
  await saveScreenshot(page, 'calendar-day');

  const perMinute = await calendar.pxPerMinute(anna.id);
  const box = (await block.boundingBox())!;
  await calendar.mouseDrag(block, { x: box.x + 6 + perMinute * 150, y: box.y + box.height / 2 });
  await expect(page.getByTestId('drag-ghost')).toContainText('Anna Keller');
  await saveScreenshot(page, 'calendar-mid-drag');
  await calendar.drop();
  await calendar.expectConfirm('Anna Keller');
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('Call moved.')).toBeVisible();

  await page.reload();
  const saved = await getCall(page, id);
  expect(Date.parse(saved.slot.start) - Date.parse(slot.start)).toBe(150 * 60_000);
  expect(saved.technician_id).toBe(anna.id);
  await expectAccessible(page);
});

test('drag a call to another technician; both get a push notification', async ({ page, request }) => {
  const { id, anna, techs, day } = await greenCallForAnna(page, request);
  const luca = techs.find((t) => t.name === 'Luca Brunner')!;
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(day);
  const block = calendar.block(id);
  const target = (await calendar.row(luca.id).locator('.timeline__lane').boundingBox())!;
  const box = (await block.boundingBox())!;
  await calendar.mouseDrag(block, { x: box.x + 6, y: target.y + target.height / 2 });
  await calendar.drop();
  await calendar.expectConfirm('Luca Brunner');
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
  await expect(calendar.row(luca.id).locator(`[data-call-id="${id}"]`)).toBeVisible();

  await expect.poll(async () => (await getCall(page, id)).technician_id).toBe(luca.id);
  await expect
    .poll(async () => {
      const messages = await outbox(page);
      return [anna.id, luca.id].every((tech) => messages.some((m) => m.recipient === tech));
    })
    .toBe(true);
  await expectAccessible(page);
});

test('a drop on an unverified technician is refused while dragging, and nothing changes', async ({ page, request }) => {
  const { id, techs, day, slot } = await greenCallForAnna(page, request);
  const nina = techs.find((t) => !t.verified)!;
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(day);
  const block = calendar.block(id);
  const target = (await calendar.row(nina.id).locator('.timeline__lane').boundingBox())!;
  const box = (await block.boundingBox())!;
  await calendar.mouseDrag(block, { x: box.x + 6, y: target.y + target.height / 2 });
  await expect(page.getByTestId('drag-ghost')).toContainText('not verified: no photo');
  await expect(calendar.row(nina.id)).toHaveClass(/is-invalid/);
  await calendar.drop();
  await expect(calendar.confirmDialog()).toBeHidden();
  const saved = await getCall(page, id);
  expect(saved.slot.start).toBe(slot.start);
  expect(saved.technician_id).not.toBe(nina.id);
});

test('drag from the "to assign" list onto a row schedules and assigns in one move', async ({ page, request }) => {
  // The lists hold every call to assign (whatever the calendar shows): tall enough that
  // both the card's handle and the row stay on screen for the drag.
  await page.setViewportSize({ width: 1366, height: 1600 });
  const name = uniqueName('Bleed the radiators');
  const booking = await postBooking(request, { name, slot: null });
  await acceptAndPatch(page, booking.id, {});
  const anna = (await technicians(page)).find((t) => t.name === 'Anna Keller')!;
  const calendar = new CalendarPage(page);
  await page.reload();
  const day = slotAt(nextDay++, 8).start.slice(0, 10);
  await calendar.showDay(day);

  const handle = page
    .getByRole('region', { name: /Accepted — to assign/ })
    .getByRole('article')
    .filter({ hasText: name })
    .getByTestId('drag-handle');
  const lane = (await calendar.row(anna.id).locator('.timeline__lane').boundingBox())!;
  // 11:00 local: four hours after the 07:00 start of the day view.
  await calendar.mouseDrag(handle, { x: lane.x + (lane.width / 12) * 4 + 1, y: lane.y + lane.height / 2 });
  await calendar.drop();
  await calendar.expectConfirm(/11:00.*Anna Keller/);
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
  await expect.poll(async () => (await getCall(page, booking.id)).technician_id).toBe(anna.id);
  expect((await getCall(page, booking.id)).slot).not.toBeNull();
});

test('a stale drag rolls back with a message', async ({ page, request }) => {
  // Simulate a board that has not heard of a colleague's change yet: no live events.
  await page.routeWebSocket(/\/api\/v1\/events/, () => {});
  await page.reload();
  const { id, slot, day } = await greenCallForAnna(page, request);
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(day);
  const block = calendar.block(id);
  await expect(block).toBeVisible();

  // A colleague changes the call through the API meanwhile.
  const current = await getCall(page, id);
  const changed = await page.request.patch(`/api/v1/calls/${id}`, {
    data: { version: current.version, agreed_price: { amount_minor: 15000, currency: 'CHF' } },
  });
  expect(changed.ok()).toBeTruthy();

  const perMinute = await calendar.pxPerMinute(current.technician_id);
  const box = (await block.boundingBox())!;
  await calendar.mouseDrag(block, { x: box.x + 6 + perMinute * 60, y: box.y + box.height / 2 });
  await calendar.drop();
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('changed this call in the meantime')).toBeVisible();
  const saved = await getCall(page, id);
  expect(saved.slot.start).toBe(slot.start);
  await expectAccessible(page);
});

test('keyboard only: focus a call, move it with the arrow keys, confirm with Enter', async ({ page, request }) => {
  const { id, slot, day } = await greenCallForAnna(page, request);
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(day);
  await calendar.block(id).focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('status').filter({ hasText: 'Enter to confirm' })).toBeAttached();
  await page.keyboard.press('Enter');
  await calendar.expectConfirm('Anna Keller');
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).press('Enter');
  await expect.poll(async () => Date.parse((await getCall(page, id)).slot.start) - Date.parse(slot.start)).toBe(60 * 60_000);
});

test('undo reverts the last move, and the move notifies nobody', async ({ page, request }) => {
  const { id, anna, slot, day } = await greenCallForAnna(page, request);
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(day);
  const block = calendar.block(id);
  const perMinute = await calendar.pxPerMinute(anna.id);
  const box = (await block.boundingBox())!;
  await calendar.mouseDrag(block, { x: box.x + 6 + perMinute * 90, y: box.y + box.height / 2 });
  await calendar.drop();
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
  await expect.poll(async () => (await getCall(page, id)).slot.start).not.toBe(slot.start);
  // The client's e-mail and Anna's push about the new time wait for the undo window.
  const moveMessages = async () =>
    (await outbox(page)).filter((m) => m.call_id === id && m.kind === 'schedule_changed');
  const held = await moveMessages();
  expect(held.map((m) => m.recipient).sort()).toEqual([anna.id, 'anna.muster@example.ch'].sort());
  expect(held.every((m) => m.held && !m.cancelled)).toBe(true);

  await page.getByRole('button', { name: 'Undo' }).click();

  await expect(page.getByText('Move undone.')).toBeVisible();
  await expect.poll(async () => (await getCall(page, id)).slot.start).toBe(slot.start);
  expect((await getCall(page, id)).technician_id).toBe(anna.id);
  // Withdrawn, and the undo itself wrote nothing: no deliverable message of the move.
  const after = await moveMessages();
  expect(after).toHaveLength(2);
  expect(after.every((m) => m.cancelled)).toBe(true);
  await page.reload();
  await calendar.showDay(day);
  await expect(calendar.row(anna.id).locator(`[data-call-id="${id}"]`)).toBeVisible();
});

test('Ctrl+Z undoes a move from the "to assign" list: the call is undated and unassigned again', async ({ page, request }) => {
  // Tall enough for the card's handle and the row together (see above).
  await page.setViewportSize({ width: 1366, height: 1600 });
  const name = uniqueName('Descale the boiler');
  const booking = await postBooking(request, { name, slot: null });
  await acceptAndPatch(page, booking.id, {});
  const anna = (await technicians(page)).find((t) => t.name === 'Anna Keller')!;
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(slotAt(nextDay++, 8).start.slice(0, 10));
  const toAssign = page.getByRole('region', { name: /Accepted — to assign/ }).getByRole('article').filter({ hasText: name });
  const lane = (await calendar.row(anna.id).locator('.timeline__lane').boundingBox())!;
  await calendar.mouseDrag(toAssign.getByTestId('drag-handle'), { x: lane.x + (lane.width / 12) * 3 + 1, y: lane.y + lane.height / 2 });
  await calendar.drop();
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('Call moved.')).toBeVisible();
  await expect(calendar.row(anna.id).locator(`[data-call-id="${booking.id}"]`)).toBeVisible();
  await expect.poll(async () => (await getCall(page, booking.id)).technician_id).toBe(anna.id);

  await page.keyboard.press('Control+z');

  await expect(page.getByText('Move undone.')).toBeVisible();
  await expect(toAssign).toBeVisible();
  await expect(calendar.block(booking.id)).toHaveCount(0);
  const saved = await getCall(page, booking.id);
  expect(saved.slot).toBeNull();
  expect(saved.technician_id).toBeNull();
  const messages = (await outbox(page)).filter((m) => m.call_id === booking.id && m.held);
  expect(messages.map((m) => m.kind).sort()).toEqual(['assigned', 'schedule_set']);
  expect(messages.every((m) => m.cancelled)).toBe(true);
  // A second Ctrl+Z finds nothing left to undo.
  await page.keyboard.press('Control+z');
  await expect(page.getByText('can no longer be undone')).toHaveCount(0);
  await expectAccessible(page);
});

test('a technician changed in the detail modal is a move too: Ctrl+Z takes it back and Luca is never told', async ({ page, request }) => {
  const { id, anna, techs, day, name } = await greenCallForAnna(page, request);
  const luca = techs.find((t) => t.name === 'Luca Brunner')!;
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(day);
  await calendar.block(id).click();
  const modal = page.getByRole('dialog', { name });
  await modal.getByLabel('Technician').selectOption(luca.id);
  await modal.getByRole('button', { name: 'Assign technician' }).click();
  await expect(page.getByText('Call moved.')).toBeVisible();
  await expect.poll(async () => (await getCall(page, id)).technician_id).toBe(luca.id);
  const toLuca = async () => (await outbox(page)).filter((m) => m.call_id === id && m.recipient === luca.id);
  expect((await toLuca()).every((m) => m.held && !m.cancelled)).toBe(true);

  // Focus is on the modal's button, not in a text field: the shortcut is the board's.
  await page.keyboard.press('Control+z');

  await expect(page.getByText('Move undone.')).toBeVisible();
  await expect.poll(async () => (await getCall(page, id)).technician_id).toBe(anna.id);
  await expect(modal.getByLabel('Technician')).toHaveValue(anna.id);
  const withdrawn = await toLuca();
  expect(withdrawn.length).toBeGreaterThan(0);
  expect(withdrawn.every((m) => m.cancelled)).toBe(true);
});

/** A green call in Anna Keller's row at a given UTC slot. */
async function greenCallForAnnaAt(page: Page, request: Parameters<typeof postBooking>[0], slot: { start: string; end: string }) {
  const name = uniqueName('Replace a valve');
  const booking = await postBooking(request, { name, slot });
  const techs = await technicians(page);
  const anna = techs.find((t) => t.name === 'Anna Keller')!;
  await acceptAndPatch(page, booking.id, { technician_id: anna.id, client_called: true });
  return { id: booking.id, name, anna, techs };
}

test('resize a block by its right edge; the server holds the new end', async ({ page, request }) => {
  const { id, anna, slot, day } = await greenCallForAnna(page, request);
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(day);
  const block = calendar.block(id);
  await expect(block).toBeVisible();
  const perMinute = await calendar.pxPerMinute(anna.id);
  const box = (await block.boundingBox())!;
  // The right edge (the last few pixels) resizes; 45 minutes longer.
  const edge = { x: box.x + box.width - 3, y: box.y + box.height / 2 };
  await page.mouse.move(edge.x, edge.y);
  await page.mouse.down();
  for (let i = 1; i <= 6; i++) await page.mouse.move(edge.x + (perMinute * 45 * i) / 6, edge.y);
  await expect(page.getByTestId('drag-ghost')).toContainText('Anna Keller');
  await calendar.drop();
  await calendar.expectConfirm('Anna Keller');
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
  await expect
    .poll(async () => Date.parse((await getCall(page, id)).slot.end) - Date.parse(slot.end))
    .toBe(45 * 60_000);
  const saved = await getCall(page, id);
  expect(saved.slot.start).toBe(slot.start);
  expect(saved.technician_id).toBe(anna.id);
});

test('a drop onto a technician\'s other call warns before confirming; both stay visible in lanes', async ({ page, request }) => {
  const dayAhead = nextDay++;
  const first = await greenCallForAnnaAt(page, request, slotAt(dayAhead, 8, 120));
  const second = await greenCallForAnnaAt(page, request, slotAt(dayAhead, 12));
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(slotAt(dayAhead, 8).start.slice(0, 10));
  const block = calendar.block(second.id);
  await expect(block).toBeVisible();
  const perMinute = await calendar.pxPerMinute(first.anna.id);
  const box = (await block.boundingBox())!;
  // 12:00 → 09:00 UTC: inside the first call (08:00–10:00).
  await calendar.mouseDrag(block, { x: box.x + 6 - perMinute * 180, y: box.y + box.height / 2 });
  await calendar.drop();
  await calendar.expectConfirm('Anna Keller');
  // At least the first call (a database reused across runs may hold more on that day).
  await expect(calendar.confirmDialog().getByRole('alert')).toContainText(/overlaps [1-9]\d* other call/);
  await saveScreenshot(page, 'calendar-overlap-warning');
  await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
  await expect.poll(async () => (await getCall(page, second.id)).slot.start).toBe(slotAt(dayAhead, 9).start);

  // Both calls are drawn, one above the other, and both can be clicked.
  const a = (await calendar.block(first.id).boundingBox())!;
  const b = (await calendar.block(second.id).boundingBox())!;
  expect(a.y + a.height <= b.y || b.y + b.height <= a.y).toBe(true);
  await calendar.block(second.id).click({ position: { x: 10, y: b.height / 2 } });
  await expect(page).toHaveURL(new RegExp(`/requests/${second.id}`));
});

for (const [label, date, utcHour] of [
  ['last Sunday of March (clocks go forward)', '2027-03-28', 7],
  ['last Sunday of October (clocks go back)', '2027-10-31', 8],
] as const) {
  test(`Europe/Zurich on the ${label}: 09:00 shows at 09:00 and moves to 10:00`, async ({ page, request }) => {
    // 09:00 wall clock in Zurich: 07:00 UTC after the spring change (UTC+2), 08:00 UTC
    // after the autumn change (UTC+1).
    const pad = (h: number) => String(h).padStart(2, '0');
    const slot = { start: `${date}T${pad(utcHour)}:00:00Z`, end: `${date}T${pad(utcHour + 1)}:00:00Z` };
    const { id, anna } = await greenCallForAnnaAt(page, request, slot);
    const calendar = new CalendarPage(page);
    await page.reload();
    await calendar.showDay(date);
    const block = calendar.block(id);
    await expect(block.locator('.block__meta')).toContainText('09:00–10:00');
    // Drawn under 09:00: two hours after the 07:00 start of the day view.
    const lane = (await calendar.row(anna.id).locator('.timeline__lane').boundingBox())!;
    const perMinute = await calendar.pxPerMinute(anna.id);
    const box = (await block.boundingBox())!;
    expect(Math.abs(box.x - (lane.x + perMinute * 120))).toBeLessThan(3);

    await calendar.mouseDrag(block, { x: box.x + 6 + perMinute * 60, y: box.y + box.height / 2 });
    await calendar.drop();
    await calendar.expectConfirm(/10:00.*Anna Keller/);
    await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(async () => (await getCall(page, id)).slot.start).toBe(`${date}T${pad(utcHour + 1)}:00:00Z`);
    await page.reload();
    await calendar.showDay(date);
    await expect(calendar.block(id).locator('.block__meta')).toContainText('10:00–11:00');
  });
}

test('the week view shows the week\'s calls with a legend', async ({ page, request }) => {
  const { id, day } = await greenCallForAnna(page, request);
  const calendar = new CalendarPage(page);
  await page.reload();
  await calendar.showDay(day);
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await expect(calendar.block(id)).toBeVisible();
  await expect(page.locator('.timeline__header .timeline__cell')).toHaveCount(7);
  await expect(page.getByRole('list', { name: 'Legend' })).toBeVisible();
  await saveScreenshot(page, 'calendar-week');
  await expectAccessible(page);
});

test.describe('on a touch screen', () => {
  test.use({ hasTouch: true, viewport: { width: 1180, height: 820 } });

  test('the same drag works with touch input', async ({ page, request }) => {
    const { id, anna, slot, day } = await greenCallForAnna(page, request);
    const calendar = new CalendarPage(page);
    await page.reload();
    await calendar.showDay(day);
    const block = calendar.block(id);
    const perMinute = await calendar.pxPerMinute(anna.id);
    const box = (await block.boundingBox())!;
    await calendar.touchDrag(block, { x: box.x + 6 + perMinute * 120, y: box.y + box.height / 2 });
    await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(async () => Date.parse((await getCall(page, id)).slot.start) - Date.parse(slot.start))
      .toBe(120 * 60_000);
    await saveScreenshot(page, 'calendar-tablet');
  });

  test('a reassign works with touch input: drag to another technician\'s row', async ({ page, request }) => {
    const { id, techs, slot, day } = await greenCallForAnna(page, request);
    const luca = techs.find((t) => t.name === 'Luca Brunner')!;
    const calendar = new CalendarPage(page);
    await page.reload();
    await calendar.showDay(day);
    const block = calendar.block(id);
    const target = (await calendar.row(luca.id).locator('.timeline__lane').boundingBox())!;
    const box = (await block.boundingBox())!;
    await calendar.touchDrag(block, { x: box.x + 6, y: target.y + target.height / 2 });
    await calendar.expectConfirm('Luca Brunner');
    await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
    await expect(calendar.row(luca.id).locator(`[data-call-id="${id}"]`)).toBeVisible();
    await expect.poll(async () => (await getCall(page, id)).technician_id).toBe(luca.id);
    expect((await getCall(page, id)).slot.start).toBe(slot.start);
  });
});

test('a signed-in load reads the board once: the page preloads it, and the app takes that very read', async ({ page }) => {
  // The reads the calendar's first paint waits for: the session check, the board, the roster.
  const first = ['/api/v1/auth/me', '/api/v1/calls', '/api/v1/technicians'];
  const reads: string[] = [];
  const unused: string[] = [];
  page.on('request', (r) => {
    if (first.includes(new URL(r.url()).pathname)) reads.push(r.url());
  });
  page.on('console', (m) => {
    if (/preloaded using link preload but not used/.test(m.text())) unused.push(m.text());
  });
  const response = await page.goto('/calendar');
  const links = response!.headers()['link'].split(', ');
  expect(links).toHaveLength(3);
  for (const link of links) {
    expect(link).toMatch(/^<\/api\/v1\/[^>]+>; rel=preload; as=fetch; crossorigin=anonymous$/);
  }
  const preloaded = links.map((l) => l.slice(1, l.indexOf('>')));
  expect(preloaded.map((p) => new URL(p, 'http://x').pathname)).toEqual(first);
  await expect(page.locator('.timeline__row').first()).toBeVisible();
  await expect(page.getByRole('region', { name: /Requests/ })).toBeVisible();
  // One read of each on the wire, started by the preload (before the app ran), used by
  // the app.
  const path = (url: string) => new URL(url).pathname + new URL(url).search;
  expect(reads.map(path).sort()).toEqual([...preloaded].sort());
  const entries = await page.evaluate((first) =>
    performance.getEntriesByType('resource')
      .filter((e) => first.includes(new URL(e.name).pathname))
      .map((e) => (e as PerformanceResourceTiming).initiatorType),
  first);
  expect(entries).toEqual(['link', 'link', 'link']);
  // Chromium says so after 3 s when a preload goes unused.
  await page.waitForTimeout(3_500);
  expect(unused).toEqual([]);
  // Pages that do not open on the calendar preload nothing.
  expect((await page.goto('/team'))!.headers()['link']).toBeUndefined();
});
