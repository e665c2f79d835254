import { expect, test } from './fixtures/test';
import { expectAccessible } from './fixtures/axe';
import { saveScreenshot } from './fixtures/artifacts';
import { outbox, postBooking, signIn, slotAt, uniqueName } from './fixtures/board';
import { DEMO, LoginPage } from './fixtures/login-page';
import { invitationPath } from './fixtures/team-page';

/**
 * The Company tab. Profile, origins and partner key are changed as Rhein, so Alpen's
 * demo embedding (embed.spec.ts) keeps its seeded origin, key and colour.
 */

test('the company profile shows each refused field beside it and saves the rest', async ({ page }) => {
  await signIn(page, DEMO.rhein.email);
  await page.getByRole('link', { name: 'Company' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Company' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Company profile' });
  await expect(form.getByLabel('Company name')).toHaveValue(DEMO.rhein.company);

  await form.getByLabel('Company name').fill(' ');
  await form.getByLabel('Company e-mail (invoices, check-out notices)').fill('not-an-address');
  await form.getByLabel('Brand colour (#rrggbb)').fill('blue');
  await form.getByLabel('Logo address (https://…)').fill('http://rhein.example/logo.png');
  await form.getByRole('button', { name: 'Save profile' }).click();
  await expect(form.locator('#company-name-error')).toHaveText('Please fill this in.');
  await expect(form.locator('#company-email-error')).toHaveText('This is not an e-mail address.');
  await expect(form.locator('#company-brand-colour-error')).toHaveText('Enter a colour as #rrggbb, e.g. #1f6feb.');
  await expect(form.locator('#company-logo-error')).toHaveText('Enter an https:// address of an image.');
  await expect(form.getByLabel('Brand colour (#rrggbb)')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);
  await saveScreenshot(page, 'company-profile-errors');
  // Nothing was saved.
  const unchanged = await (await page.request.get('/api/v1/company/settings')).json();
  expect(unchanged.name).toBe(DEMO.rhein.company);

  await form.getByLabel('Company name').fill(DEMO.rhein.company);
  await form.getByLabel('Company e-mail (invoices, check-out notices)').fill('rechnung@rhein.example');
  await form.getByLabel('Brand colour (#rrggbb)').fill('#0a7d3c');
  await form.getByLabel('Logo address (https://…)').fill('');
  await form.getByLabel('Address', { exact: true }).fill('Rheinufer 5\n50667 Köln');
  await form.getByLabel('Default language').selectOption('de');
  await form.getByRole('button', { name: 'Save profile' }).click();
  await expect(form.getByRole('status')).toHaveText('The company profile is saved.');
  const saved = await (await page.request.get('/api/v1/company/settings')).json();
  expect(saved).toMatchObject({ brand_colour: '#0a7d3c', default_language: 'de', address: 'Rheinufer 5\n50667 Köln' });
  const profile = await (await page.request.get('/api/v1/company')).json();
  expect(profile.email).toBe('rechnung@rhein.example');
  await page.reload();
  await expect(form.getByLabel('Address', { exact: true })).toHaveValue('Rheinufer 5\n50667 Köln');
});

test('allowed origins: an http origin is refused beside the field, an https one is added and removed', async ({ page }) => {
  await signIn(page, DEMO.rhein.email);
  await page.goto('/company');
  const section = page.getByRole('region', { name: 'Embedding in your website' });
  const field = section.getByLabel('New origin');
  await field.fill('http://intranet.rhein.example');
  await section.getByRole('button', { name: 'Allow origin' }).click();
  await expect(section.locator('#origin-new-error')).toHaveText('Only https:// origins, except on localhost.');
  await field.fill('https://Intranet.Rhein.Example/');
  await section.getByRole('button', { name: 'Allow origin' }).click();
  const origin = section.getByTestId('origin').filter({ hasText: 'https://intranet.rhein.example' });
  await expect(origin).toBeVisible();
  const rhein = (await (await page.request.get('/api/v1/auth/me')).json()).company.id;
  const framed = await page.request.get(`/embed/${rhein}`);
  expect(framed.headers()['content-security-policy']).toContain('frame-ancestors https://intranet.rhein.example');
  await expectAccessible(page);

  await section.getByRole('button', { name: 'Remove https://intranet.rhein.example' }).click();
  await expect(origin).toHaveCount(0);
  const after = await page.request.get(`/embed/${rhein}`);
  expect(after.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
});

test('the partner key is shown once, rotates (the old one stops working) and is revoked', async ({ page }) => {
  await signIn(page, DEMO.rhein.email);
  await page.goto('/company');
  const section = page.getByRole('region', { name: 'Embedding in your website' });
  await expect(section.getByTestId('partner-key-prefix')).toHaveText('No partner key yet.');
  await section.getByRole('button', { name: 'Create key' }).click();
  const once = section.getByLabel(/Your new key/);
  await expect(once).toHaveValue(/^rpk_/);
  const first = await once.inputValue();
  await expect(section.getByTestId('partner-key-prefix')).toContainText(first.slice(0, 12));

  await section.getByRole('button', { name: 'Rotate key' }).click();
  await expect(once).not.toHaveValue(first);
  const second = await once.inputValue();
  const mint = (key: string) =>
    page.request.post('/api/v1/embed/tokens', {
      headers: { Authorization: `Bearer ${key}` },
      data: { email: DEMO.rhein.email, origin: 'https://intranet.rhein.example' },
    });
  expect((await mint(first)).status()).toBe(401);
  // The new key is recognised (Rhein allows no origin now: the origin is refused, 422).
  expect((await mint(second)).status()).toBe(422);
  await page.reload();
  await expect(section.getByLabel(/Your new key/)).toHaveCount(0);

  await section.getByRole('button', { name: 'Revoke key' }).click();
  await expect(section.getByTestId('partner-key-prefix')).toHaveText('No partner key yet.');
  expect((await mint(second)).status()).toBe(401);
});

test('an invited dispatcher gets request e-mails once activated; removed, their open session ends', async ({ page, browser, request }) => {
  const name = `Kurt Probe ${Date.now() % 100000}`;
  const email = `kurt.${Date.now()}@alpen.example`;
  await signIn(page, DEMO.alpen.email);
  await page.goto('/company');
  const section = page.getByRole('region', { name: 'Dispatchers' });
  await section.getByLabel('Name', { exact: true }).fill(name);
  await section.getByLabel('Personal e-mail (sign-in, request e-mails)').fill('kurt@');
  await section.getByRole('button', { name: 'Send invitation' }).click();
  await expect(section.locator('#dispatcher-email-error')).toHaveText('This is not an e-mail address.');
  await section.getByLabel('Personal e-mail (sign-in, request e-mails)').fill(email);
  await section.getByRole('button', { name: 'Send invitation' }).click();
  const row = section.getByTestId('dispatcher').filter({ hasText: name });
  await expect(row).toContainText('Invited');

  // Kurt activates in a browser of his own.
  const link = await invitationPath(page.request, email);
  const kurt = await (await browser.newContext()).newPage();
  await kurt.goto(link);
  await kurt.getByLabel('New password').fill('Tr0ubadour-Plumb');
  await kurt.getByLabel('Repeat the password').fill('Tr0ubadour-Plumb');
  await kurt.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(kurt).toHaveURL(/\/calendar/);
  await page.reload();
  await expect(row).toContainText('Active');

  // A new request: Kurt gets its e-mail like Sandra.
  const booking = await postBooking(request, { name: uniqueName('Dispatcher mail'), slot: slotAt(3, 9) });
  const mails = (await outbox(page)).filter((m) => m.call_id === booking.id && m.kind === 'new_request');
  const recipients = mails.map((m) => m.recipient);
  expect(recipients).toContain(email);
  expect(recipients).toContain(DEMO.alpen.email);
  await expectAccessible(page);

  // Removed: Kurt's open board signs out at once (the socket closes with 4401).
  await section.getByRole('button', { name: `Remove ${name}` }).click();
  await expect(section.getByRole('status')).toHaveText('The dispatcher was removed; their sessions have ended.');
  await expect(row).toHaveCount(0);
  await expect(kurt).toHaveURL(/\/login/);
  await kurt.context().close();
});

test('a dispatcher edits their own profile and password; their other devices sign out, this one stays', async ({ page, browser }) => {
  // A dispatcher of their own, so the demo accounts keep their e-mails and passwords.
  const stamp = Date.now();
  const email = `lena.${stamp}@alpen.example`;
  const renamed = `lena.privat.${stamp}@example.ch`;
  await signIn(page, DEMO.alpen.email);
  await page.goto('/company');
  const dispatchers = page.getByRole('region', { name: 'Dispatchers' });
  await dispatchers.getByLabel('Name', { exact: true }).fill(`Lena Probe ${stamp % 100000}`);
  await dispatchers.getByLabel('Personal e-mail (sign-in, request e-mails)').fill(email);
  await dispatchers.getByRole('button', { name: 'Send invitation' }).click();
  await expect(dispatchers.getByTestId('dispatcher').filter({ hasText: email })).toContainText('Invited');
  const link = await invitationPath(page.request, email);
  const lena = await (await browser.newContext()).newPage();
  await lena.goto(link);
  await lena.getByLabel('New password').fill('Erste-Wahl-2026');
  await lena.getByLabel('Repeat the password').fill('Erste-Wahl-2026');
  await lena.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(lena).toHaveURL(/\/calendar/);

  // Her tablet is signed in too, board open.
  const tablet = await (await browser.newContext()).newPage();
  const tabletLogin = new LoginPage(tablet);
  await tabletLogin.goto();
  await tabletLogin.signIn(email, 'Erste-Wahl-2026');
  await expect(tablet).toHaveURL(/\/calendar/);

  await lena.getByRole('link', { name: 'Company' }).click();
  const own = lena.getByRole('region', { name: 'Your profile' });
  await expect(own.getByLabel('Personal e-mail (sign-in, request e-mails)')).toHaveValue(email);
  await own.getByLabel('Your name').fill(' ');
  await own.getByLabel('Personal e-mail (sign-in, request e-mails)').fill('lena@');
  await own.getByRole('button', { name: 'Save your profile' }).click();
  await expect(own.locator('#own-name-error')).toHaveText('Please fill this in.');
  await expect(own.locator('#own-email-error')).toHaveText('This is not an e-mail address.');
  // Somebody else's address is refused by the server, beside the field.
  await own.getByLabel('Your name').fill('Lena Meier');
  await own.getByLabel('Personal e-mail (sign-in, request e-mails)').fill(DEMO.alpen.email);
  await own.getByRole('button', { name: 'Save your profile' }).click();
  await expect(own.locator('#own-email-error')).toHaveText('This e-mail address already has an account.');
  await own.getByLabel('Personal e-mail (sign-in, request e-mails)').fill(renamed);
  await own.getByRole('button', { name: 'Save your profile' }).click();
  await expect(own.getByRole('status').first()).toHaveText('Your profile is saved.');
  await expect(lena.locator('header')).toContainText('Lena Meier');

  // The password: the current one is checked, the rules apply, then the other device ends.
  await own.getByLabel('Current password').fill('not-my-password');
  await own.getByLabel('New password').fill('Zweite-Wahl-2027');
  await own.getByRole('button', { name: 'Change password' }).click();
  await expect(own.locator('#own-current-password-error')).toHaveText('This is not your current password.');
  await own.getByLabel('Current password').fill('Erste-Wahl-2026');
  await own.getByLabel('New password').fill('kurz');
  await own.getByRole('button', { name: 'Change password' }).click();
  await expect(own.locator('#own-new-password-error')).toHaveText('At least 10 characters.');
  await expectAccessible(lena);
  await saveScreenshot(lena, 'company-own-profile');
  await own.getByLabel('New password').fill('Zweite-Wahl-2027');
  await own.getByRole('button', { name: 'Change password' }).click();
  await expect(own.getByRole('status').last()).toHaveText(
    'Your password is changed. You stay signed in here; your other devices are signed out.',
  );
  await expect(own.getByLabel('Current password')).toHaveValue('');
  await expect(tablet).toHaveURL(/\/login/);
  await lena.reload();
  await expect(lena.getByRole('region', { name: 'Your profile' })).toBeVisible();

  // The next sign-in uses the new e-mail and the new password.
  const fresh = await (await browser.newContext()).newPage();
  const login = new LoginPage(fresh);
  await login.goto();
  await login.signIn(renamed, 'Zweite-Wahl-2027');
  await expect(fresh).toHaveURL(/\/calendar/);
  for (const p of [lena, tablet, fresh]) await p.context().close();
});
