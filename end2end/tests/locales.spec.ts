import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from './fixtures/test';
import { saveScreenshot } from './fixtures/artifacts';
import { acceptAndPatch, postBooking, slotAt, technicians, uniqueName } from './fixtures/board';
import { CalendarPage } from './fixtures/calendar-page';
import { DEMO } from './fixtures/login-page';

/**
 * Every locale renders the board, the detail modal and a drag ghost with no English word
 * outside names: the spec collects the visible text and compares each word against the
 * English catalogue (a word English has and the locale's own catalogue lacks is a leak).
 * Dates and money are checked against the browser's own `Intl` for the locale, and in
 * French every `: ; ? !` after a word has its narrow no-break space.
 */

const LOCALES = ['en-GB', 'de-CH', 'de-DE', 'de-AT', 'fr-CH', 'fr-FR'] as const;
type Tag = (typeof LOCALES)[number];
const ROOT = path.join(__dirname, '..', '..', 'locales');
const NNBSP = '\u202F';

/** Every app text of a language (the mail texts are not shown by the app). */
function catalogue(language: string, tag?: string): string[] {
  const dir = path.join(ROOT, language);
  const texts = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'mail.json')
    .flatMap((f) => Object.values(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))) as string[]);
  const overrides = tag ? path.join(ROOT, tag, 'overrides.json') : null;
  if (overrides && fs.existsSync(overrides)) {
    texts.push(...(Object.values(JSON.parse(fs.readFileSync(overrides, 'utf8'))) as string[]));
  }
  return texts;
}

/** The words of texts, lower-case, placeholders left out. */
function words(texts: string[]): Set<string> {
  const out = new Set<string>();
  for (const text of texts) {
    for (const word of text.replace(/\{[^}]*\}/g, ' ').toLowerCase().split(/[^\p{L}]+/u)) {
      if (word.length >= 3) out.add(word);
    }
  }
  return out;
}

const ENGLISH = words(catalogue('en'));
/** The language names of the switch are names in every language. */
const LANGUAGE_NAMES = words(catalogue('en').filter((t) => /^(English|Deutsch|Français)/.test(t)));

/** Every string of a JSON value (names of calls, clients, technicians, the company). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

/** The words of names the page may show: everything the API says about calls, the team
 * and the signed-in person is data, not wording. */
async function nameWords(page: Page): Promise<Set<string>> {
  // At most the server's 62-day window; the lists' calls (every open offer and call to
  // assign, whatever their date) come with any window.
  const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const to = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const [board, team, me] = await Promise.all(
    [`/api/v1/calls?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, '/api/v1/technicians', '/api/v1/auth/me'].map(
      async (url) => {
        const response = await page.request.get(url);
        expect(response.ok(), `${url}: ${response.status()}`).toBe(true);
        return response.json();
      },
    ),
  );
  return words(strings([board, team, me]));
}

/** English words in `text` that the locale's catalogue does not have and no name has. */
function englishLeaks(text: string, own: Set<string>, names: Set<string>): string[] {
  return [...words([text])].filter((w) => ENGLISH.has(w) && !own.has(w) && !names.has(w) && !LANGUAGE_NAMES.has(w));
}

/** Every `: ; ? !` after a word without the narrow no-break space before it. */
function frenchSpacingFaults(text: string): string[] {
  const faults: string[] = [];
  for (const match of text.matchAll(/([\p{L}\p{N}»)][ \u00A0\u202F]?)([:;?!])(?=(.?))/gu)) {
    const [, before, , after] = match;
    const index = match.index ?? 0;
    // Clock times (10:00) and links (https://) are not punctuation.
    if (/\d$/.test(before) && /\d/.test(after)) continue;
    if (after === '/') continue;
    if (!before.endsWith(NNBSP)) faults.push(text.slice(Math.max(0, index - 20), index + before.length + 1));
  }
  return faults;
}

/** The visible text of an element, the language switch left out (language names). */
async function visibleText(page: Page, selector: string): Promise<string> {
  return page.locator(selector).first().evaluate((root) => {
    let text = (root as HTMLElement).innerText;
    root.querySelectorAll('.locale-switch').forEach((e) => {
      text = text.replace((e as HTMLElement).innerText, ' ');
    });
    return text;
  });
}

async function signInWithLocale(page: Page, tag: Tag): Promise<void> {
  const login = await page.request.post('/api/v1/auth/login', { data: { email: DEMO.alpen.email, password: DEMO.password } });
  expect(login.ok()).toBeTruthy();
  const chosen = await page.request.put('/api/v1/me/locale', { data: { locale: tag } });
  expect(chosen.ok(), await chosen.text()).toBeTruthy();
  expect((await chosen.json()).locale).toBe(tag);
}

// Every locale's call today, an hour apart: always inside the week the board opens on.
let hour = 6;

// The demo dispatcher is shared with the other specs, which read the board in English.
test.afterEach(async ({ page }) => {
  await page.request.put('/api/v1/me/locale', { data: { locale: 'en-GB' } });
});

for (const tag of LOCALES) {
  test(`${tag}: board, modal and drag ghost speak the locale, with its date and money formats`, async ({ page, request }) => {
    const language = tag.slice(0, 2);
    const own = words(catalogue(language, tag));
    await signInWithLocale(page, tag);
    const name = uniqueName('Fix a leaking tap');
    const slot = slotAt(0, hour++);
    const booking = await postBooking(request, { name, slot });
    const anna = (await technicians(page)).find((t) => t.name === 'Anna Keller')!;
    await acceptAndPatch(page, booking.id, { technician_id: anna.id, client_called: true });

    // A browser in English: the account's locale wins after sign-in.
    await page.goto('/calendar');
    await expect(page.locator('html')).toHaveAttribute('lang', tag);
    const calendar = new CalendarPage(page);
    const block = calendar.block(booking.id);
    await expect(block).toBeVisible();
    const names = await nameWords(page);

    const board = await visibleText(page, 'body');
    expect(englishLeaks(board, own, names), `English on the ${tag} board`).toEqual([]);
    if (language === 'fr') expect(frenchSpacingFaults(board), 'French spacing on the board').toEqual([]);
    if (tag === 'de-CH' || tag === 'fr-CH') expect(board).not.toContain('ß');

    // The drag ghost: the target time in the locale's own weekday, never chrono's "Wed".
    const box = (await block.boundingBox())!;
    await calendar.mouseDrag(block, { x: box.x + 6 + Math.min(80, box.width), y: box.y + box.height / 2 });
    const ghost = page.getByTestId('drag-ghost');
    await expect(ghost).toBeVisible();
    const ghostText = await ghost.innerText();
    const weekdays = await page.evaluate((t) => {
      const f = new Intl.DateTimeFormat(t, { weekday: 'short', timeZone: 'Europe/Zurich' });
      return Array.from({ length: 7 }, (_, i) => f.format(new Date(Date.UTC(2026, 10, 23 + i, 12))));
    }, tag);
    expect(weekdays.some((w) => ghostText.includes(w)), `${ghostText} has a ${tag} weekday of ${weekdays}`).toBeTruthy();
    if (language !== 'en') expect(ghostText).not.toMatch(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b/);
    expect(englishLeaks(ghostText, own, names), `English in the ${tag} ghost`).toEqual([]);
    if (language === 'fr') expect(frenchSpacingFaults(ghostText)).toEqual([]);
    await calendar.drop();
    const confirm = page.getByRole('dialog').last();
    await expect(confirm).toBeVisible();
    const confirmText = await confirm.innerText();
    expect(englishLeaks(confirmText, own, names), `English in the ${tag} move confirmation`).toEqual([]);
    if (language === 'fr') expect(frenchSpacingFaults(confirmText)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);

    // The modal: the date and the price exactly as Intl writes them in this locale.
    await block.click();
    const modal = page.getByRole('dialog', { name: new RegExp(name) });
    await expect(modal).toBeVisible();
    const [price, when] = await page.evaluate(
      ([t, start]) => [
        new Intl.NumberFormat(t, { style: 'currency', currency: 'CHF' }).format(120),
        new Intl.DateTimeFormat(t, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Zurich' }).format(new Date(start)),
      ],
      [tag, slot.start] as const,
    );
    await expect(modal).toContainText(price);
    await expect(modal).toContainText(when);
    const modalText = await modal.innerText();
    expect(englishLeaks(modalText, own, names), `English in the ${tag} modal`).toEqual([]);
    if (language === 'fr') expect(frenchSpacingFaults(modalText), 'French spacing in the modal').toEqual([]);
    await saveScreenshot(page, `locale-${tag}-modal`);
  });
}

test('the header switch stores the locale on the account: a new device starts in it', async ({ page, browser }) => {
  await signInWithLocale(page, 'de-CH');
  await page.goto('/calendar');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de-CH');
  await page.getByTestId('locale-switch').selectOption('fr-FR');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr-FR');
  await expect.poll(async () => (await (await page.request.get('/api/v1/auth/me')).json()).locale).toBe('fr-FR');

  // Another device with an English browser: signed in, it shows French.
  const other = await browser.newContext({ locale: 'en-GB', baseURL: test.info().project.use.baseURL });
  const tab = await other.newPage();
  const login = await tab.request.post('/api/v1/auth/login', { data: { email: DEMO.alpen.email, password: DEMO.password } });
  expect(login.ok()).toBeTruthy();
  await tab.goto('/calendar');
  await expect(tab.locator('html')).toHaveAttribute('lang', 'fr-FR');
  await expect(tab.getByRole('heading', { level: 1, name: 'Calendrier' })).toBeVisible();
  await other.close();
});
