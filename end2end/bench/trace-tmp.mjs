import { chromium, request } from '@playwright/test';
import fs from 'node:fs';
const base = process.env.BASE_URL;
const api = await request.newContext({ baseURL: base, extraHTTPHeaders: { Origin: base } });
const login = await api.post('/api/v1/auth/login', { data: { email: 'bench@bench.example', password: 'demo1234' } });
const storageState = await api.storageState();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-background-networking','--disable-component-update','--disable-sync'] });
for (let i = 0; i < Number(process.env.N ?? 2); i++) {
  const context = await browser.newContext({ storageState, viewport: { width: 1600, height: 1000 }, locale: 'en-GB', timezoneId: 'UTC' });
  await context.addInitScript(() => { new PerformanceObserver((l) => { if (l.getEntriesByName('board-painted').length) console.log('bench:board-painted'); }).observe({ type: 'mark', buffered: true }); });
  const page = await context.newPage();
  await browser.startTracing(page, { path: `/tmp/prof/t${i}.json`, categories: ['devtools.timeline','v8','v8.wasm','disabled-by-default-v8.compile','blink','loading','disabled-by-default-devtools.timeline'] });
  const painted = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:board-painted', timeout: 120000 });
  await page.goto(`${base}/calendar`);
  await painted;
  await browser.stopTracing();
  const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])));
  console.log(JSON.stringify(marks));
  await context.close();
}
await browser.close();
