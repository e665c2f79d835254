import { expect, test, type Page } from '@playwright/test';
import { expectAccessible } from './fixtures/axe';
import { postBooking, signIn, slotAt, uniqueName } from './fixtures/board';
import { DEMO } from './fixtures/login-page';

const indicator = (page: Page) => page.getByTestId('live-indicator');
const requests = (page: Page) => page.getByRole('region', { name: /Requests/ });
const requestCard = (page: Page, name: string) => requests(page).getByRole('article').filter({ hasText: name });

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
  await expect(requestCard(rhein, name)).toHaveCount(0, { timeout: 1_000 });
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
