// Ad-hoc screenshot helper for looking at screens during development (not a test).
const { chromium } = require('@playwright/test');
(async () => {
  const [url, out, email, w, h, locale] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: +(w || 1400), height: +(h || 900) }, locale: locale || 'en-GB', timezoneId: 'Europe/Zurich' });
  page.on('console', (m) => { if (m.type() === 'error') console.log('console:', m.text()); });
  await page.goto(url.replace(/\/[^/]*$/, '/login'));
  await page.getByLabel('E-mail').fill(email || 'dispatcher@alpen.example');
  await page.getByLabel('Password', { exact: true }).fill('demo1234');
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await page.waitForURL(/calendar/);
  await page.goto(url);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: out, fullPage: true });
  await browser.close();
})();
