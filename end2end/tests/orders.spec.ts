import { expect, test, type Page } from './fixtures/test';
import { expectAccessible } from './fixtures/axe';
import { saveScreenshot } from './fixtures/artifacts';
import { MARKETPLACE_KEY, acceptAndPatch, getCall, outbox, postBooking, signIn, slotAt, technicians, uniqueName } from './fixtures/board';
import { DEMO } from './fixtures/login-page';

/** Draws a signature-like zigzag on the pad with real pointer moves. */
async function sign(page: Page, pad: ReturnType<Page['getByTestId']>): Promise<void> {
  const box = (await pad.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + 20, y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i += 1) {
    await page.mouse.move(box.x + 20 + i * 25, y + (i % 2 === 0 ? -30 : 30), { steps: 3 });
  }
  await page.mouse.up();
  // A second stroke, undone, and a third: undo removes only the last one.
  await page.mouse.move(box.x + 40, y + 50);
  await page.mouse.down();
  await page.mouse.move(box.x + 300, y + 50, { steps: 5 });
  await page.mouse.up();
}

test('a green call: extra time, material, agreed price, a report note, closed by card with a signature; the receipt has the total', async ({ page, request }) => {
  const name = uniqueName('Fix a leaking tap');
  const booking = await postBooking(request, { name, slot: slotAt(2, 9) });
  await signIn(page, DEMO.alpen.email);
  const anna = (await technicians(page)).find((t) => t.name === 'Anna Keller')!;
  const green = await acceptAndPatch(page, booking.id, { technician_id: anna.id, client_called: true });
  expect(green.colour).toBe('green');

  await page.goto(`/requests/${booking.id}`);
  const modal = page.getByRole('dialog', { name });
  const order = modal.getByRole('region', { name: 'Order' });
  await expect(order.getByTestId('order-total')).toHaveText('CHF 120.00');

  // Two extra 30-minute units with the stepper: the total previews as it changes.
  await order.getByRole('button', { name: 'One unit more' }).click();
  await order.getByRole('button', { name: 'One unit more' }).click();
  await expect(order.getByTestId('units-count')).toHaveText('2');
  await expect(order.getByTestId('order-preview')).toHaveText('With your entries: CHF 240.00');
  await order.getByRole('button', { name: 'Add time' }).click();
  await expect(order.getByTestId('order-total')).toHaveText('CHF 240.00');
  await expect(order.getByTestId('units-count')).toHaveText('0');

  // A material.
  await order.getByLabel('Material', { exact: true }).fill('Tap cartridge');
  await order.locator('#order-material-amount').fill('25');
  await expect(order.getByTestId('order-preview')).toHaveText('With your entries: CHF 265.00');
  await order.getByRole('button', { name: 'Add material' }).click();
  await expect(order.getByTestId('order-total')).toHaveText('CHF 265.00');
  await expect(order.getByRole('row').filter({ hasText: 'Tap cartridge' })).toContainText('CHF 25.00');

  // The agreed price, beside the recommended one.
  await expect(order).toContainText('Recommended price: CHF 120.00');
  await order.getByLabel('Agreed package price').fill('150');
  await expect(order.getByTestId('order-preview')).toHaveText('With your entries: CHF 295.00');
  await order.getByRole('button', { name: 'Save price' }).click();
  await expect(order.getByTestId('order-total')).toHaveText('CHF 295.00');
  await expect(order.getByTestId('order-preview')).toHaveText('');
  await order.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'order-section');

  // A work-report note, with its author.
  const report = modal.getByRole('region', { name: 'Work report' });
  await report.getByLabel('New note').fill('Replaced the cartridge; 1 h extra because the valve was stuck.');
  await report.getByRole('button', { name: 'Add note' }).click();
  await expect(report.getByRole('listitem')).toContainText('Replaced the cartridge');
  await expect(report.getByRole('listitem')).toContainText('Sandra Meier');

  // Close by card: without a signature it is refused in the dialog; with one it closes.
  await modal.getByRole('button', { name: 'Close order' }).click();
  const close = page.getByRole('dialog', { name: 'Close order' });
  await expect(close).toBeVisible();
  await expect(close).toContainText('CHF 295.00');
  await expect(close.getByLabel(/credit card/)).toBeChecked();
  await close.getByRole('button', { name: 'Close order' }).click();
  await expect(close.getByRole('alert')).toContainText('must sign');
  const pad = close.getByTestId('signature-pad');
  await sign(page, pad);
  await close.getByRole('button', { name: 'Undo stroke' }).click();
  await expect(close).toContainText('Signed.');
  await saveScreenshot(page, 'close-signature-dialog');
  await expectAccessible(page);
  await close.getByRole('button', { name: 'Close order' }).click();
  await expect(close).toBeHidden();
  await expect(modal.locator('.badge').filter({ hasText: 'Done' })).toBeVisible();
  await expect(order).toContainText('Paid by online card');

  const closed = await getCall(page, booking.id);
  expect(closed.status).toBe('closed');
  expect(closed.closure.total).toEqual({ amount_minor: 29500, currency: 'CHF' });
  expect(closed.closure.signature).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);

  // The receipt e-mail lists the lines and the total.
  const receipt = (await outbox(page)).find((m) => m.kind === 'call_closed' && m.recipient === 'anna.muster@example.ch' && m.body.includes(name));
  expect(receipt, 'receipt in the outbox').toBeTruthy();
  expect(receipt!.subject).toContain('CHF 295.00');
  // In the client's language (a Zürich booking without a locale: de-CH, issue 17).
  expect(receipt!.body).toContain('2 × 30 Min. Mehraufwand: CHF 120.00');
  expect(receipt!.body).toContain('Tap cartridge: CHF 25.00');
  expect(receipt!.body).toContain('Total: CHF 295.00');
  await expectAccessible(page);
});

test('redistributing a call takes it off Alpen’s board and offers it, blue, to Rhein', async ({ browser, page, request }) => {
  const name = uniqueName('Unblock a drain');
  const booking = await postBooking(request, { name, slot: slotAt(3, 10) });
  await signIn(page, DEMO.alpen.email);
  await acceptAndPatch(page, booking.id, {});

  await page.goto(`/requests/${booking.id}`);
  const modal = page.getByRole('dialog', { name });
  await modal.getByRole('button', { name: 'Cancel order' }).click();
  const cancel = page.getByRole('dialog', { name: 'Cancel order' });
  await expect(cancel).toContainText('offered again to other suitable partners');
  await cancel.getByRole('button', { name: 'Cancel order' }).click();
  await expect(cancel.getByRole('alert')).toContainText('Choose a reason');
  await cancel.getByLabel(/please redistribute/).check();
  await expectAccessible(page);
  await cancel.getByRole('button', { name: 'Cancel order' }).click();

  await expect(page.getByText('has left your board')).toBeVisible();
  await expect(modal).toBeHidden();
  await expect(page.getByRole('article').filter({ hasText: name })).toHaveCount(0);
  expect((await page.request.get(`/api/v1/calls/${booking.id}`)).status()).toBe(404);

  const status = await request.get(`/api/v1/marketplace/requests/${booking.id}`, {
    headers: { Authorization: `Bearer ${MARKETPLACE_KEY}` },
  });
  const body = await status.json();
  expect(body.state).toBe('offered');
  expect(body.offers.map((o: { state: string }) => o.state).sort()).toEqual(['gave_up', 'offered']);

  const rhein = await (await browser.newContext()).newPage();
  await signIn(rhein, DEMO.rhein.email);
  const card = rhein.getByRole('region', { name: /Requests/ }).getByRole('article').filter({ hasText: name });
  await expect(card).toBeVisible();
  await expect(card).toContainText('New request');
  const seen = await getCall(rhein, booking.id);
  expect(seen.colour).toBe('blue');
  expect(seen.offer_state).toBe('offered');
  await saveScreenshot(rhein, 'redistributed-on-rhein');
  await expectAccessible(rhein);
});
