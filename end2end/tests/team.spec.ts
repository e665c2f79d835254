import path from 'node:path';
import { expect, test } from './fixtures/test';
import { expectAccessible } from './fixtures/axe';
import { saveScreenshot } from './fixtures/artifacts';
import { DEMO, LoginPage } from './fixtures/login-page';
import { invitationPath, TeamPage } from './fixtures/team-page';

const PHOTO = path.join(__dirname, 'fixtures', 'technician.jpg');

test('an invited technician activates, adds a photo and a skill, and shows verified on the team tab', async ({ page }) => {
  const name = `Eva Probe ${Date.now() % 100000}`;
  const email = `eva.${Date.now()}@alpen.example`;
  const login = new LoginPage(page);
  const team = new TeamPage(page);

  // The dispatcher sees the team: verified technicians dark, others with what is missing.
  await login.goto();
  await login.signIn(DEMO.alpen.email, DEMO.password);
  await expect(page).toHaveURL(/\/calendar$/);
  await team.goto();
  await expect(team.card('Anna Keller')).toContainText('Verified');
  await expect(team.card('Nina Frei')).toContainText('no photo');
  await expectAccessible(page);
  await saveScreenshot(page, 'team-tab');

  // Add a technician; a bad e-mail is shown beside its field and nothing typed is lost.
  await team.invite(name, 'not-an-address', '+41 79 555 01 02');
  const dialog = team.addDialog();
  await expect(dialog.getByText('This is not an e-mail address.')).toBeVisible();
  await expect(dialog.getByLabel('Name')).toHaveValue(name);
  await expectAccessible(page);
  await saveScreenshot(page, 'team-add-technician-error');
  await dialog.getByLabel('E-mail (for sign-in)').fill(email);
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Invitation sent to ${name}.` })).toBeVisible();
  const card = team.card(name);
  await expect(card).toContainText('Not verified:');
  await expect(card).toContainText('password not set · no photo · no skill');

  // The invitation link from the outbox; the technician opens it in a clean session.
  const link = await invitationPath(page.request, email);
  await page.context().clearCookies();
  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1, name: 'Set your password' })).toBeVisible();
  await page.getByLabel('New password').fill('Tr0ubadour-Plumb');
  await page.getByLabel('Repeat the password').fill('Tr0ubadour-Plumb');
  await expect(page.getByRole('listitem').filter({ hasText: 'At least 10 characters' })).toContainText('(met)');
  await expectAccessible(page);
  await saveScreenshot(page, 'team-activation');
  await page.getByRole('button', { name: 'Set password and sign in' }).click();

  // My profile, on a phone-sized screen: photo and skill.
  await expect(page).toHaveURL(/\/profile$/);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole('heading', { level: 1, name: 'My profile' })).toBeVisible();
  await expect(page.getByText('password not set')).toHaveCount(0);
  await page.getByLabel('Profile picture').setInputFiles(PHOTO);
  await expect(page.getByRole('status').filter({ hasText: 'Picture saved.' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Profile picture' })).toBeVisible();
  await page.getByRole('checkbox', { name: 'Plumbing' }).check();
  await page.getByRole('button', { name: 'Save skills' }).click();
  await expect(page.getByTestId('profile-verified')).toHaveText('Verified: you can receive calls.');
  await expectAccessible(page);
  await saveScreenshot(page, 'team-my-profile');

  // Back to the dispatcher: the new technician is verified.
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.context().clearCookies();
  await login.goto();
  await login.signIn(DEMO.alpen.email, DEMO.password);
  await expect(page).toHaveURL(/\/calendar$/);
  await team.goto();
  await expect(team.card(name)).toContainText('Verified');
  await expect(team.card(name)).not.toContainText('Not verified');
  await expect(team.card(name).getByText('Plumbing')).toBeVisible();
  await saveScreenshot(page, 'team-verified');
  await expectAccessible(page);
});

test('the team tab filters by skill and by search text', async ({ page }) => {
  const login = new LoginPage(page);
  const team = new TeamPage(page);
  await login.goto();
  await login.signIn(DEMO.alpen.email, DEMO.password);
  await expect(page).toHaveURL(/\/calendar$/);
  await team.goto();

  await page.getByLabel('Skill', { exact: true }).selectOption({ label: 'Electrics' });
  await expect(team.card('Marco Steiner')).toBeVisible();
  await expect(team.card('Anna Keller')).toHaveCount(0);

  await page.getByLabel('Search by name, e-mail or phone').fill('luca');
  await expect(page.getByTestId('technician')).toHaveCount(1);
  await expect(team.card('Luca Brunner')).toBeVisible();

  await page.getByLabel('Search by name, e-mail or phone').fill('nobody-by-this-name');
  await expect(page.getByText('No technician matches the search.')).toBeVisible();
  await expectAccessible(page);
});
