import { expect, test, type Page } from '@playwright/test';
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
});
