import { expect, test } from './fixtures/test';
import { expectAccessible } from './fixtures/axe';
import { saveScreenshot } from './fixtures/artifacts';
import { DEMO, LoginPage } from './fixtures/login-page';

for (const company of [DEMO.alpen, DEMO.rhein]) {
  test(`${company.company}'s dispatcher signs in, sees the board shell, and signs out`, async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(company.email, DEMO.password);

    await expect(page).toHaveURL(/\/calendar$/);
    await expect(page.getByTestId('company-name')).toHaveText(company.company);
    await expect(page.getByRole('link', { name: 'Calendar' })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('link', { name: 'Team' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Calendar' })).toBeVisible();
    await expectAccessible(page);
    if (company === DEMO.alpen) await saveScreenshot(page, 'board-shell');

    // A reload keeps the session and the deep link.
    await page.getByRole('link', { name: 'Team' }).click();
    await expect(page).toHaveURL(/\/team$/);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Team' })).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    // The session is gone on the server too: the board sends us back to sign in.
    await page.goto('/calendar');
    await expect(page).toHaveURL(/\/login\?next=/);
    await expectAccessible(page);
  });
}

test('opened signed out, the calendar shows its board right after signing in', async ({ page }) => {
  // The app starts the board's and the roster's reads before it knows the session; both
  // are refused here, and neither refusal may stand for the reads after the sign-in.
  await page.goto('/calendar');
  await expect(page).toHaveURL(/\/login\?next=/);
  const login = new LoginPage(page);
  await login.signIn(DEMO.alpen.email, DEMO.password);

  await expect(page).toHaveURL(/\/calendar$/);
  // The timeline shows only once the board read is in, its technician rows with the roster.
  await expect(page.locator('.timeline__row[data-row]:not([data-row="dispatcher"])').first()).toBeVisible();
  await expect(page).toHaveURL(/\/calendar$/);
});

test('a wrong password shows an error and keeps the e-mail', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(DEMO.alpen.email, 'not-the-password');
  await expect(login.error()).toContainText(login.labels.wrong);
  await expect(page.getByLabel(login.labels.email)).toHaveValue(DEMO.alpen.email);
  await expect(page).toHaveURL(/\/login/);
  await saveScreenshot(page, 'login-error');
  await expectAccessible(page);
});

test('a deep link survives signing in', async ({ page }) => {
  await page.goto('/team');
  await expect(page).toHaveURL(/\/login\?next=%2Fteam/);
  const login = new LoginPage(page);
  await login.signIn(DEMO.rhein.email, DEMO.password);
  await expect(page).toHaveURL(/\/team$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Team' })).toBeVisible();
  await expectAccessible(page);
});
