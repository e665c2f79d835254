import { expect, test, type Page } from './fixtures/test';
import { expectAccessible } from './fixtures/axe';
import { saveScreenshot } from './fixtures/artifacts';
import { acceptAndPatch, getCall, postBooking, signIn, slotAt, technicians, uniqueName } from './fixtures/board';
import { CalendarPage } from './fixtures/calendar-page';
import { DEMO } from './fixtures/login-page';

/**
 * The board on touch screens: iPad portrait and landscape and a 390 × 844 phone. On
 * every screen nothing is wider than the viewport, a tap shows a call's summary card, a
 * long press drags a call (iPads) and the modal's controls are all reachable.
 */

const DEVICES = [
  { name: 'iPad portrait', viewport: { width: 820, height: 1180 } },
  { name: 'iPad landscape', viewport: { width: 1180, height: 820 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
] as const;

let nextDay = 12;

/** A dated call of Anna Keller's, on a day of its own. */
async function annasCall(page: Page, request: Parameters<typeof postBooking>[0]) {
  const name = uniqueName('Fix a leaking tap');
  const slot = slotAt(nextDay++, 8);
  const booking = await postBooking(request, { name, slot });
  const anna = (await technicians(page)).find((t) => t.name === 'Anna Keller')!;
  await acceptAndPatch(page, booking.id, { technician_id: anna.id, client_called: true });
  return { id: booking.id, name, slot, anna, day: slot.start.slice(0, 10) };
}

/** Every element wider than the viewport, or the page scrolling sideways. */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide: string[] = [];
    if (document.documentElement.scrollWidth > width) wide.push(`page scrollWidth ${document.documentElement.scrollWidth} > ${width}`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      // Inside a box that scrolls (the timeline) an element may be wider than the screen.
      if (el.closest('.timeline')) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;
      if (rect.right > width + 1 || rect.left < -1) {
        wide.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(rect.left)}–${Math.round(rect.right)}`);
      }
    }
    return wide.slice(0, 10);
  });
}

/** Visible buttons, selects and inputs smaller than 44 × 44 px. */
async function smallControls(page: Page, scope: string): Promise<string[]> {
  return page.locator(scope).first().evaluate((root) =>
    Array.from(root.querySelectorAll<HTMLElement>('button, select, input:not([type=checkbox]):not([type=radio]), a[href]'))
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && (r.width < 44 || r.height < 44);
      })
      .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}" ${Math.round(el.getBoundingClientRect().width)}×${Math.round(el.getBoundingClientRect().height)}`),
  );
}

for (const device of DEVICES) {
  test.describe(`on an ${device.name}`, () => {
    test.use({ viewport: device.viewport, hasTouch: true, isMobile: device.name === 'phone' });

    test('no screen is wider than the viewport; a tap shows the summary; the modal fits', async ({ page, request }) => {
      await signIn(page, DEMO.alpen.email);
      const call = await annasCall(page, request);
      const calendar = new CalendarPage(page);
      await page.reload();
      if (device.name === 'phone') {
        // A phone shows the day as an agenda per technician, not the wide timeline.
        await page.getByRole('button', { name: 'Day', exact: true }).click();
        await page.getByLabel('Go to date').fill(call.day);
        await page.getByLabel('Go to date').dispatchEvent('change');
        const agenda = page.getByTestId('phone-agenda');
        await expect(agenda).toBeVisible();
        await expect(page.locator('.timeline')).toBeHidden();
        const entry = agenda.locator(`[data-call-id="${call.id}"]`);
        await expect(entry).toContainText(call.name);
        expect(await overflow(page), 'board').toEqual([]);
        expect(await smallControls(page, '.agenda'), 'agenda controls').toEqual([]);
        await saveScreenshot(page, 'device-phone-agenda');

        // The two lists are tabs on a phone: one shown at a time, each with its count.
        const tabs = page.getByRole('tablist', { name: 'Requests and calls to assign' });
        await expect(tabs).toBeVisible();
        const requestsTab = tabs.getByRole('tab', { name: /Requests/ });
        const unassignedTab = tabs.getByRole('tab', { name: /Accepted — to assign/ });
        const requestsList = page.getByRole('region', { name: /Requests/ });
        const unassignedList = page.getByRole('region', { name: /Accepted — to assign/ });
        await expect(requestsTab).toHaveAttribute('aria-selected', 'true');
        await expect(requestsList).toBeVisible();
        await expect(unassignedList).toBeHidden();
        await unassignedTab.tap();
        await expect(unassignedTab).toHaveAttribute('aria-selected', 'true');
        await expect(unassignedList).toBeVisible();
        await expect(requestsList).toBeHidden();
        expect(await smallControls(page, '.lists__tabs'), 'list tabs').toEqual([]);
        expect(await overflow(page), 'lists').toEqual([]);
        await saveScreenshot(page, 'device-phone-lists');
        // The arrow keys move between the tabs (and the focus with them).
        await unassignedTab.focus();
        await page.keyboard.press('ArrowLeft');
        await expect(requestsTab).toBeFocused();
        await expect(requestsList).toBeVisible();
        await expectAccessible(page);
        await entry.scrollIntoViewIfNeeded();
        await entry.tap();
      } else {
        await calendar.showDay(call.day);
        const block = calendar.block(call.id);
        await expect(block).toBeVisible();
        expect(await overflow(page), 'board').toEqual([]);
        await saveScreenshot(page, `device-${device.name.replace(' ', '-')}-day`);
        await page.getByRole('button', { name: 'Week', exact: true }).click();
        await expect(block).toBeVisible();
        expect(await overflow(page), 'week').toEqual([]);
        await saveScreenshot(page, `device-${device.name.replace(' ', '-')}-week`);
        await page.getByRole('button', { name: 'Day', exact: true }).click();

        // A tap (no hover on a tablet) shows the call's summary card, inside the screen.
        await block.tap();
        const card = page.getByTestId('summary-card');
        await expect(card).toBeVisible();
        await expect(card).toContainText(call.name);
        await expect(card).toContainText('Anna Keller');
        expect(await overflow(page), 'summary card').toEqual([]);
        await card.getByRole('button', { name: 'Open details' }).click();
      }

      // The modal: inside the screen, every control reachable (scrolled to and clickable).
      const modal = page.getByRole('dialog', { name: new RegExp(call.name) });
      await expect(modal).toBeVisible();
      expect(await overflow(page), 'modal').toEqual([]);
      const controls = modal.locator('button:visible, select:visible, input:visible, textarea:visible');
      const count = await controls.count();
      expect(count).toBeGreaterThan(2);
      const viewport = page.viewportSize()!;
      for (let i = 0; i < count; i++) {
        const control = controls.nth(i);
        await control.scrollIntoViewIfNeeded();
        const box = (await control.boundingBox())!;
        expect(box.x, `control ${i} left edge`).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, `control ${i} right edge`).toBeLessThanOrEqual(viewport.width + 1);
      }
      if (device.name === 'phone') {
        const box = (await modal.boundingBox())!;
        expect(box.width).toBeGreaterThanOrEqual(viewport.width - 1);
        expect(await smallControls(page, 'dialog[open]'), 'modal controls').toEqual([]);
      }
      await saveScreenshot(page, `device-${device.name.replace(' ', '-')}-modal`);
      await expectAccessible(page);

      // The team screen too.
      await page.keyboard.press('Escape');
      await page.goto('/team');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await overflow(page), 'team').toEqual([]);

      // And the company tab: its profile, dispatchers, own profile and embedding.
      await page.goto('/company');
      await expect(page.getByRole('heading', { name: 'Your profile' })).toBeVisible();
      expect(await overflow(page), 'company').toEqual([]);
      if (device.name === 'phone') {
        expect(await smallControls(page, 'main'), 'company controls').toEqual([]);
      }
      await saveScreenshot(page, `device-${device.name.replace(' ', '-')}-company`);
      await expectAccessible(page);
    });

    if (device.name !== 'phone') {
      test('a long press lifts a call and the drag moves it; a swipe does not', async ({ page, request }) => {
        await signIn(page, DEMO.alpen.email);
        const call = await annasCall(page, request);
        const calendar = new CalendarPage(page);
        await page.reload();
        await calendar.showDay(call.day);
        const block = calendar.block(call.id);
        await expect(block).toBeVisible();
        const perMinute = await calendar.pxPerMinute(call.anna.id);
        const box = (await block.boundingBox())!;
        const start = { x: box.x + 6, y: box.y + box.height / 2 };
        const base = { pointerId: 11, pointerType: 'touch', isPrimary: true, bubbles: true };

        // A quick swipe: the finger travels before the long press, nothing is dragged.
        await block.dispatchEvent('pointerdown', { ...base, button: 0, clientX: start.x, clientY: start.y });
        await block.dispatchEvent('pointermove', { ...base, clientX: start.x + 60, clientY: start.y });
        await block.dispatchEvent('pointercancel', { ...base, clientX: start.x + 60, clientY: start.y });
        await expect(block).not.toHaveClass(/is-lifted/);
        await expect(page.getByTestId('drag-ghost')).toHaveCount(0);

        // A long press: the block lifts, then follows the finger two hours later.
        await block.dispatchEvent('pointerdown', { ...base, button: 0, clientX: start.x, clientY: start.y });
        await expect(block).toHaveClass(/is-lifted/);
        const to = { x: start.x + perMinute * 120, y: start.y };
        for (let i = 1; i <= 6; i++) {
          await block.dispatchEvent('pointermove', { ...base, clientX: start.x + ((to.x - start.x) * i) / 6, clientY: to.y });
        }
        await expect(page.getByTestId('drag-ghost')).toBeVisible();
        await block.dispatchEvent('pointerup', { ...base, button: 0, clientX: to.x, clientY: to.y });
        await calendar.confirmDialog().getByRole('button', { name: 'Confirm' }).click();
        await expect
          .poll(async () => Date.parse((await getCall(page, call.id)).slot.start) - Date.parse(call.slot.start))
          .toBe(120 * 60_000);
      });
    }
  });
}

test.describe('on a 1440 px desktop', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('week blocks show what fits, never a cut-off fragment; both densities', async ({ page, request }) => {
    await signIn(page, DEMO.alpen.email);
    const call = await annasCall(page, request);
    const calendar = new CalendarPage(page);
    await page.reload();
    await calendar.showDay(call.day);
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await expect(calendar.block(call.id)).toBeVisible();
    for (const density of ['compact', 'comfortable'] as const) {
      await page.getByTestId(`density-${density}`).click();
      await expect(page.locator('.calendar')).toHaveClass(new RegExp(`is-${density}`));
      // What a block shows is its full title and time, its start time alone, or (the
      // narrowest) only its state icon, which CSS draws: never a fragment like "1.".
      const shown = await page.locator('.timeline .block').evaluateAll((blocks) =>
        blocks.map((b) => (b as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
      );
      expect(shown.length).toBeGreaterThan(0);
      for (const text of shown) {
        expect(text === '' || /^\d\d:\d\d$/.test(text) || text.length >= 8, `block text "${text}"`).toBeTruthy();
      }
      expect(await overflow(page)).toEqual([]);
      await saveScreenshot(page, `week-1440-${density}`);
    }
    // The density is remembered.
    await page.reload();
    await expect(page.locator('.calendar')).toHaveClass(/is-comfortable/);
  });
});
