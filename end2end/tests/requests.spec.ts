import { expect, test } from './fixtures/test';
import { expectAccessible } from './fixtures/axe';
import { saveScreenshot } from './fixtures/artifacts';
import { postBooking, signIn, slotAt, technicians, uniqueName } from './fixtures/board';
import { DEMO } from './fixtures/login-page';

test('a booking reaches both companies; the first to accept wins and the other sees it taken', async ({ browser, request }) => {
  const name = uniqueName('Fix a leaking tap');
  const booking = await postBooking(request, { name, slot: slotAt(2, 8) });
  expect(booking.offered_to.length).toBeGreaterThanOrEqual(2);

  const alpen = await (await browser.newContext()).newPage();
  const rhein = await (await browser.newContext()).newPage();
  await signIn(alpen, DEMO.alpen.email);
  await signIn(rhein, DEMO.rhein.email);

  const requests = (page: typeof alpen) => page.getByRole('region', { name: /Requests/ });
  await expect(requests(alpen).getByRole('article').filter({ hasText: name })).toBeVisible();
  await expect(requests(rhein).getByRole('article').filter({ hasText: name })).toBeVisible();
  await saveScreenshot(alpen, 'request-lists');

  // Alpen opens the request, sees no contact data yet, and accepts.
  await requests(alpen).getByRole('link', { name }).click();
  const modal = alpen.getByRole('dialog', { name });
  await expect(modal).toBeVisible();
  await expect(modal).toContainText('CHF 120.00');
  await expect(modal).toContainText('shown once you accept');
  await modal.getByRole('button', { name: 'Accept' }).click();
  await expect(modal.getByRole('alert').filter({ hasText: 'Call the client now' })).toBeVisible();
  await expect(modal.getByRole('link', { name: '+41 79 123 45 67' }).first()).toBeVisible();
  await saveScreenshot(alpen, 'request-modal-accepted');

  // Rhein refreshes: the request is gone, and its deep link says why.
  await rhein.reload();
  await expect(requests(rhein).getByText(name)).toHaveCount(0);
  await rhein.goto(`/requests/${booking.id}`);
  await expect(rhein.getByRole('dialog')).toContainText('accepted by another partner');
  await expectAccessible(rhein);

  // Alpen calls the client, sets the date, assigns a verified technician: green.
  await modal.getByRole('button', { name: 'Confirm: client called' }).click();
  await expect(modal).toContainText('The client has been called.');
  const techs = await technicians(alpen);
  const anna = techs.find((t) => t.name === 'Anna Keller')!;
  const nina = techs.find((t) => !t.verified)!;
  const picker = modal.getByLabel('Technician');
  await expect(picker.locator(`option[value="${nina.id}"]`)).toBeDisabled();
  await expect(picker.locator(`option[value="${nina.id}"]`)).toContainText('not verified');
  await picker.selectOption(anna.id);
  await modal.getByRole('button', { name: 'Assign technician' }).click();
  await expect(modal.locator('.badge').filter({ hasText: 'Ready' })).toBeVisible();
  await expect(modal).toContainText('The call is ready.');
  await saveScreenshot(alpen, 'request-modal-green');
  await expectAccessible(alpen);
});

test('an undated request: accept, set the date, assign, call — green', async ({ page, request }) => {
  const name = uniqueName('Replace a socket');
  const booking = await postBooking(request, { name, skill: 'electrics', slot: null });
  await signIn(page, DEMO.alpen.email);

  const card = page.getByRole('region', { name: /Requests/ }).getByRole('article').filter({ hasText: name });
  await expect(card).toContainText('No date yet');
  await card.getByRole('button', { name: 'Accept' }).click();
  await expect(page).toHaveURL(new RegExp(`/requests/${booking.id}`));
  const modal = page.getByRole('dialog', { name });
  await expect(modal.getByRole('alert').filter({ hasText: 'Call the client now' })).toBeVisible();

  // Until it has a date it waits, white, in the "to assign" list.
  await expect(
    page.getByRole('region', { name: /Accepted — to assign/ }).getByRole('article').filter({ hasText: name }),
  ).toContainText('No date yet');

  const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  await modal.getByLabel('Date').fill(day);
  await modal.getByLabel('Start time').selectOption('10:30');
  await modal.getByRole('button', { name: 'Save date and time' }).click();
  await expect(modal).toContainText('10:30');

  const marco = (await technicians(page)).find((t) => t.name === 'Marco Steiner')!;
  await modal.getByLabel('Technician').selectOption(marco.id);
  await modal.getByRole('button', { name: 'Assign technician' }).click();
  await modal.getByRole('button', { name: 'Confirm: client called' }).click();
  await expect(modal.locator('.badge').filter({ hasText: 'Ready' })).toBeVisible();

  // Escape closes the modal and the call is now in Marco's row, green.
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/\/calendar$/);
  await expectAccessible(page);
});

test('a refused save shows its reason beside the control, with focus, and the call as the server has it', async ({ page, request }) => {
  // Simulate a board that has not heard of a colleague's change yet: no live events.
  await page.routeWebSocket(/\/api\/v1\/events/, () => {});
  await page.reload();
  const name = uniqueName('Unblock a drain');
  const booking = await postBooking(request, { name, slot: null });
  await signIn(page, DEMO.alpen.email);
  await page.goto(`/requests/${booking.id}`);
  const modal = page.getByRole('dialog', { name });
  await modal.getByRole('button', { name: 'Accept' }).click();
  await expect(modal.getByRole('button', { name: 'Assign technician' })).toBeVisible();

  // Someone else changes the call meanwhile (a stale version for this modal).
  const current = await (await page.request.get(`/api/v1/calls/${booking.id}`)).json();
  const changed = await page.request.patch(`/api/v1/calls/${booking.id}`, {
    data: { version: current.version, client_called: true },
  });
  expect(changed.ok()).toBeTruthy();

  const day = new Date(Date.now() + 4 * 86_400_000).toISOString().slice(0, 10);
  await modal.getByLabel('Date').fill(day);
  await modal.getByLabel('Start time').selectOption('14:00');
  await modal.getByRole('button', { name: 'Save date and time' }).click();
  // The reason sits beside the date, focus goes there, and the form shows the server's
  // values again (still undated), with the colleague's change.
  await expect(modal.locator('#call-date-error')).toContainText('changed this call in the meantime');
  await expect(modal.getByLabel('Date')).toBeFocused();
  await expect(modal.getByLabel('Date')).toHaveValue('');
  await expect(modal.getByLabel('Start time')).toHaveValue('');
  await expect(modal).toContainText('The client has been called.');
  await expectAccessible(page);
});
