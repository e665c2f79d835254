// The first-load benchmark, run by `cargo xtask bench` (xtask/src/bench/first_load.rs):
// opens the signed-in board in Debian's headless Chromium under CDP network throttling
// and measures, per network profile, what a dispatcher waits for:
// - bytes on the wire (every response's encoded length, headers included, until the
//   board is painted),
// - shell painted: the first contentful paint (the loading screen of index.html),
// - board painted: the second animation frame after the first call block is in the DOM,
// each cold (a fresh browser context: empty HTTP cache, no service worker) and warm (the
// same context loading the board again, its service worker in control).
// Prints a table and one line `FIRST_LOAD_RESULT {json}` of medians.
import { chromium } from '@playwright/test';

const base = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const loads = Number(process.env.BENCH_LOADS ?? 5);
const email = process.env.BENCH_EMAIL ?? 'dispatcher@alpen.example';
const path = process.env.BENCH_PATH ?? '/calendar';

// Chromium DevTools' presets ("Fast 3G", and a 4G close to its "Fast 4G"), which scale
// the nominal bandwidths by 0.9 as DevTools does, so figures compare with a manual run.
const PROFILES = {
  fast3g: { latency: 562.5, downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9, uploadThroughput: ((750 * 1000) / 8) * 0.9 },
  '4g': { latency: 170, downloadThroughput: ((9 * 1000 * 1000) / 8) * 0.9, uploadThroughput: ((1.5 * 1000 * 1000) / 8) * 0.9 },
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (v) => Math.round(v);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Records, in the page, when the board is first painted.
const BOARD_WATCH = () => {
  const seen = () => document.querySelector('.timeline__row [data-call-id]');
  const done = () =>
    requestAnimationFrame(() => requestAnimationFrame(() => {
      window.__boardPainted = performance.now();
    }));
  new MutationObserver((_, observer) => {
    if (seen()) {
      observer.disconnect();
      done();
    }
  }).observe(document, { childList: true, subtree: true });
};

/** One load of the board in `page` under `profile`; returns the figures. */
async function measure(page, profile) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...PROFILES[profile] });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (event) => {
    bytes += event.encodedDataLength;
  });
  await page.goto(`${base}${path}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__boardPainted !== undefined, null, { timeout: 120_000, polling: 100 });
  const figures = await page.evaluate(() => ({
    shell_ms: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    board_ms: window.__boardPainted,
    controlled: !!navigator.serviceWorker?.controller,
  }));
  await cdp.detach();
  return { bytes, ...figures };
}

const results = {};
for (const profile of Object.keys(PROFILES)) {
  const cold = [];
  const warm = [];
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Zurich' });
    await context.addInitScript(BOARD_WATCH);
    // Signed in through the API (the session cookie only): the page itself loads cold.
    const login = await context.request.post(`${base}/api/v1/auth/login`, {
      data: { email, password: 'demo1234' },
      headers: { Origin: base },
    });
    if (!login.ok()) throw new Error(`sign-in failed: ${login.status()} ${await login.text()}`);
    const page = await context.newPage();
    cold.push(await measure(page, profile));
    // Warm: once the worker has installed and controls the page, load the board again.
    const hasWorker = await page.evaluate(async () => {
      if (!('serviceWorker' in navigator)) return false;
      await navigator.serviceWorker.ready;
      for (let i = 0; i < 100 && !navigator.serviceWorker.controller; i++) await new Promise((r) => setTimeout(r, 50));
      return !!navigator.serviceWorker.controller;
    });
    const again = await measure(page, profile);
    warm.push({ ...again, controlled: again.controlled && hasWorker });
    await context.close();
  }
  const summary = (runs) => ({
    bytes: round(median(runs.map((r) => r.bytes))),
    shell_ms: round(median(runs.map((r) => r.shell_ms))),
    board_ms: round(median(runs.map((r) => r.board_ms))),
    service_worker: runs.every((r) => r.controlled),
  });
  results[profile] = { cold: summary(cold), warm: summary(warm) };
  console.log(`${profile}: cold ${JSON.stringify(results[profile].cold)}, warm ${JSON.stringify(results[profile].warm)}`);
}
await browser.close();

console.log(`\n| profile | load | bytes on the wire | shell painted | board painted |`);
for (const [profile, r] of Object.entries(results)) {
  for (const kind of ['cold', 'warm']) {
    const f = r[kind];
    console.log(`| ${profile} | ${kind}${f.service_worker ? ' (service worker)' : ''} | ${f.bytes} | ${f.shell_ms} ms | ${f.board_ms} ms |`);
  }
}
console.log(`FIRST_LOAD_RESULT ${JSON.stringify({ loads, ...results })}`);
