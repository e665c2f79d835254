import { chromium, request } from '@playwright/test';
const base = process.env.BASE_URL; const tag = process.env.TAG;
const api = await request.newContext({ baseURL: base, extraHTTPHeaders: { Origin: base } });
await api.post('/api/v1/auth/login', { data: { email: process.env.EMAIL ?? 'bench@bench.example', password: 'demo1234' } });
const storageState = await api.storageState();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-background-networking'] });
for (const [name, vp] of [['desk', { width: 1440, height: 900 }], ['ipad', { width: 1024, height: 768 }]]) {
  const context = await browser.newContext({ storageState, viewport: vp, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log('console.error', m.text()); });
  await page.goto(`${base}/calendar`);
  await page.locator('.timeline__row').first().waitFor();
  await page.getByRole('button', { name: 'Day', exact: true }).click(); await page.waitForTimeout(500); for (let k = 0; k < 7 && (await page.locator('.timeline .block').count()) < 2; k++) { await page.locator('.toolbar button').nth(2).click(); await page.waitForTimeout(400); } await page.screenshot({ path: `/tmp/prof/shot-${tag}-${name}-day.png` });
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  await page.waitForTimeout(800);
  await page.screenshot({ path: `/tmp/prof/shot-${tag}-${name}-week.png` });
  const shown = await page.locator('.timeline .block').evaluateAll((bs) => bs.slice(0, 400).map((b) => { const r = b.getBoundingClientRect(); const s = b.querySelector('.block__short'); const t = b.querySelector('.block__title'); return [Math.round(r.width), s ? Math.round(s.getBoundingClientRect().width) : -1, t ? Math.round(t.getBoundingClientRect().width) : -1]; }));
  console.log(name, JSON.stringify(shown.slice(0, 30)));
  await context.close();
}
await browser.close();
