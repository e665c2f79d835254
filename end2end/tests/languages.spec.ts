import { expect, test } from './fixtures/test';
import { expectAccessible } from './fixtures/axe';
import { saveScreenshot } from './fixtures/artifacts';
import { DEMO, LoginPage, type Lang } from './fixtures/login-page';

const browsers: { lang: Lang; locale: string; calendar: string }[] = [
  { lang: 'de', locale: 'de-CH', calendar: 'Kalender' },
  { lang: 'fr', locale: 'fr-CH', calendar: 'Calendrier' },
];

for (const { lang, locale, calendar } of browsers) {
  test.describe(`in ${lang}`, () => {
    test.use({ locale });

    test('labels and errors are translated, and the board shell follows', async ({ page }) => {
      const login = new LoginPage(page, lang);
      await login.goto();
      await expect(page.locator('html')).toHaveAttribute('lang', locale);
      await expect(page.getByRole('button', { name: login.labels.submit })).toBeVisible();

      await login.signIn(DEMO.alpen.email, 'wrong');
      await expect(login.error()).toContainText(login.labels.wrong);
      await expectAccessible(page);

      await login.signIn(DEMO.alpen.email, DEMO.password);
      await expect(page.getByRole('heading', { level: 1, name: calendar })).toBeVisible();
      await expect(page.getByRole('button', { name: login.labels.logout })).toBeVisible();
      await saveScreenshot(page, `board-shell-${lang}`);
      await expectAccessible(page);
    });
  });
}

test('the language switch is remembered across reloads', async ({ page }) => {
  const login = new LoginPage(page, 'en');
  await login.goto();
  await page.getByLabel('Language').selectOption('de-DE');
  await expect(page.getByLabel('Passwort', { exact: true })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Passwort', { exact: true })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de-DE');
  await expectAccessible(page);
});
