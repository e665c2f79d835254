import { chromium, request } from '@playwright/test';
import fs from 'node:fs';
const base = process.env.BASE_URL;
const api = await request.newContext({ baseURL: base, extraHTTPHeaders: { Origin: base } });
const login = await api.post('/api/v1/auth/login', { data: { email: 'bench@bench.example', password: 'demo1234' } });
if (!login.ok()) throw new Error('login');
const storageState = await api.storageState();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync'] });
const results = [];
for (let i = 0; i < Number(process.env.N ?? 3); i++) {
  const context = await browser.newContext({ storageState, viewport: { width: 1600, height: 1000 }, locale: 'en-GB', timezoneId: 'UTC' });
  await context.addInitScript(() => { new PerformanceObserver((l) => { if (l.getEntriesByName('board-painted').length) console.log('bench:board-painted'); }).observe({ type: 'mark', buffered: true }); });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const painted = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:board-painted', timeout: 120000 });
  await page.goto(`${base}/calendar`);
  await painted;
  const { profile } = await cdp.send('Profiler.stop');
  const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])));
  fs.writeFileSync(`/tmp/prof/p${i}.cpuprofile`, JSON.stringify(profile));
  console.log(JSON.stringify(marks));
  await context.close();
}
await browser.close();
