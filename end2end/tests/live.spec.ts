import { expect, test, type Page, type WebSocketRoute } from './fixtures/test';
import { saveScreenshot } from './fixtures/artifacts';
import { expectAccessible } from './fixtures/axe';
import { acceptAndPatch, postBooking, signIn, slotAt, technicians, uniqueName } from './fixtures/board';
import { CalendarPage } from './fixtures/calendar-page';
import { COLLEAGUE, signInColleague } from './fixtures/colleague';
import { DEMO } from './fixtures/login-page';

const indicator = (page: Page) => page.getByTestId('live-indicator');
const requests = (page: Page) => page.getByRole('region', { name: /Requests/ });
const requestCard = (page: Page, name: string) => requests(page).getByRole('article').filter({ hasText: name });
const online = (page: Page) => page.getByRole('list', { name: 'Colleagues online' });

test('a new booking shows on both boards live; when Alpen accepts, Rhein loses it within a second', async ({ browser, request }) => {
  const alpen = await (await browser.newContext()).newPage();
  const rhein = await (await browser.newContext()).newPage();
  await signIn(alpen, DEMO.alpen.email);
  await signIn(rhein, DEMO.rhein.email);
  await expect(indicator(alpen)).toContainText('Live');
  await expect(indicator(rhein)).toContainText('Live');

  // Posted after both boards loaded: only the live stream can bring it.
  const name = uniqueName('Live leak');
  const booking = await postBooking(request, { name, slot: slotAt(2, 8) });
  await expect(requestCard(alpen, name)).toBeVisible();
  await expect(requestCard(rhein, name)).toBeVisible();
  await expect(rhein.getByText(`New request: ${name}`)).toBeVisible();

  const accepted = await alpen.request.post(`/api/v1/calls/${booking.id}/accept`, { data: {} });
  expect(accepted.status()).toBe(200);
  // Within a second Rhein's card says it was taken (in place, issue 15), then it leaves.
  await expect(requestCard(rhein, name).getByTestId('taken-notice')).toBeVisible({ timeout: 1_000 });
  await expect(requestCard(rhein, name)).toHaveCount(0, { timeout: 8_000 });
  // Alpen's own board moved it out of the requests, also without a reload.
  await expect(requestCard(alpen, name)).toHaveCount(0);

  // The indicator explains itself (text and icon, not colour alone).
  await indicator(rhein).getByRole('button').click();
  await expect(indicator(rhein)).toContainText('appear at once');
  await expectAccessible(rhein);
  await expectAccessible(alpen);
});

test("a colleague's change updates the open call in place", async ({ browser, request }) => {
  const name = uniqueName('Live socket');
  const booking = await postBooking(request, { name, skill: 'electrics', slot: slotAt(3, 9) });
  const colleague = await (await browser.newContext()).newPage();
  await signIn(colleague, DEMO.alpen.email);
  const won = await colleague.request.post(`/api/v1/calls/${booking.id}/accept`, { data: {} });
  expect(won.status()).toBe(200);
  const call = await won.json();

  const page = await (await browser.newContext()).newPage();
  await signIn(page, DEMO.alpen.email);
  await expect(indicator(page)).toContainText('Live');
  await page.goto(`/requests/${booking.id}`);
  const modal = page.getByRole('dialog', { name });
  await expect(modal.getByRole('button', { name: 'Confirm: client called' })).toBeVisible();

  const patched = await colleague.request.patch(`/api/v1/calls/${booking.id}`, {
    data: { version: call.version, client_called: true },
  });
  expect(patched.status()).toBe(200);
  await expect(modal).toContainText('The client has been called.');
  await expectAccessible(page);
});

test("colleagues see each other online, and a colleague's drag and open modal show their name on the call", async ({ browser, request }) => {
  const sandra = await (await browser.newContext()).newPage();
  await signIn(sandra, DEMO.alpen.email);
  const beat = await (await browser.newContext()).newPage();
  await signInColleague(beat, sandra);
  await expect(indicator(sandra)).toContainText('Live');
  await expect(indicator(beat)).toContainText('Live');

  // Each sees the other in the header, not themselves.
  await expect(online(sandra).getByRole('listitem')).toHaveCount(1);
  await expect(online(sandra)).toContainText(COLLEAGUE.name);
  await expect(online(beat).getByRole('listitem')).toHaveCount(1);
  await expect(online(beat)).toContainText('Sandra Meier');

  // A green call in Anna Keller's row on both boards, on a day no other spec (nor an
  // earlier run on the same database) puts a block on, so the drag grabs this one.
  const name = uniqueName('Presence drag');
  const slot = slotAt(20 + (Math.floor(Date.now() / 1000) % 60), 8);
  const booking = await postBooking(request, { name, slot });
  const anna = (await technicians(sandra)).find((t) => t.name === 'Anna Keller')!;
  await acceptAndPatch(sandra, booking.id, { technician_id: anna.id, client_called: true });
  const day = slot.start.slice(0, 10);
  const onSandra = new CalendarPage(sandra);
  const onBeat = new CalendarPage(beat);
  await onSandra.showDay(day);
  await onBeat.showDay(day);
  await expect(onSandra.block(booking.id)).toBeVisible();
  await expect(onBeat.block(booking.id)).toBeVisible();

  // Sandra drags the block with the mouse and holds it mid-way.
  const block = onSandra.block(booking.id);
  const box = (await block.boundingBox())!;
  const perMinute = await onSandra.pxPerMinute(anna.id);
  await onSandra.mouseDrag(block, { x: box.x + 6 + perMinute * 90, y: box.y + box.height / 2 });
  await expect(sandra.getByTestId('drag-ghost')).toBeVisible();

  // Beat's board names her on the block (and in its accessible name); her own does not.
  const marker = onBeat.block(booking.id).getByTestId('colleague-marker');
  await expect(marker).toContainText('Sandra is moving this');
  await expect(onBeat.block(booking.id)).toHaveAccessibleName(/Sandra is moving this/);
  await expect(block.getByTestId('colleague-marker')).toHaveCount(0);
  await saveScreenshot(beat, 'presence-colleague-moving');

  // Warned, not blocked: Beat opens the call; the modal says who is moving it and keeps
  // its actions. Sandra's board now shows that Beat has it open.
  await beat.goto(`/requests/${booking.id}`);
  const modal = beat.getByRole('dialog', { name });
  await expect(modal.getByTestId('colleague-notice')).toContainText('Sandra is moving this');
  await expect(modal.getByRole('button', { name: 'Save date and time' })).toBeEnabled();
  await expect(block.getByTestId('colleague-marker')).toContainText('Beat has this open');
  await saveScreenshot(beat, 'presence-modal-notice');
  await saveScreenshot(sandra, 'presence-colleague-has-it-open');
  await expectAccessible(beat);

  // Sandra lets go with Escape: the move is cancelled and her name leaves Beat's modal.
  await sandra.keyboard.press('Escape');
  await sandra.mouse.up();
  await expect(sandra.getByTestId('drag-ghost')).toHaveCount(0);
  await expect(modal.getByTestId('colleague-notice')).toHaveCount(0);
  await expectAccessible(sandra);

  // Beat closes the call; the marker on Sandra's board goes too.
  await modal.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(block.getByTestId('colleague-marker')).toHaveCount(0);

  // Beat signs out: Sandra sees nobody else online.
  await beat.getByRole('button', { name: 'Sign out' }).click();
  await expect(online(sandra)).toHaveCount(0);
});

test('after a server restart the board reconnects and catches up on what it missed', async ({ browser, request }) => {
  const page = await (await browser.newContext()).newPage();
  // While `hold` is set, the board's reconnect attempts are held open without reaching
  // the server, so a change can land after the server is back but before the board is:
  // only the resume (`?since=`) can bring it.
  let hold = false;
  const held: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/api\/v1\/events/, (ws) => {
    if (hold) held.push(ws);
    else ws.connectToServer();
  });
  await signIn(page, DEMO.alpen.email);
  await expect(indicator(page)).toContainText('Live');

  hold = true;
  const restart = await page.request.post('/api/v1/dev/restart');
  expect(restart.status()).toBe(202);
  await expect(indicator(page)).toContainText('Reconnecting');
  // The old process is gone (the socket dropped); wait for the new one.
  await expect
    .poll(async () => (await request.get('/healthz').catch(() => null))?.status() ?? 0, { timeout: 20_000 })
    .toBe(200);

  const name = uniqueName('After restart');
  await postBooking(request, { name, slot: slotAt(3, 10) });
  await expect(requestCard(page, name)).toHaveCount(0);
  await expect(indicator(page)).toContainText('Reconnecting');

  // Let the board through: it resumes and shows the booking without a reload.
  hold = false;
  for (const ws of held) await ws.close();
  await expect(indicator(page)).toContainText('Live');
  await expect(requestCard(page, name)).toBeVisible();
  await expect(page.getByText(`New request: ${name}`)).toBeVisible();
});
