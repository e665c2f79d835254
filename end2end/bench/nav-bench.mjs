// `nav_to_board_ms` of ../shared/BENCH.md, run by `cargo xtask bench`: the data set is
// in the real server's database (seeded by `cargo run -p server --example seed_board`);
// each of BENCH_LOADS fresh browser contexts (cold HTTP cache, the session cookie of one
// sign-in) navigates to /calendar and waits for the app's `board-painted` mark (the
// second animation frame after the first board read is in the store). The parts come
// from the app's performance marks and Resource Timing. Prints a table and one line
// `NAV_RESULT {json}` of medians.
import { chromium, request } from '@playwright/test';

const base = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const technicians = Number(process.env.BENCH_T ?? 50);
const calls = Number(process.env.BENCH_C ?? 2000);
const loads = Number(process.env.BENCH_LOADS ?? 7);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (v) => Math.round(v * 10) / 10;

// One sign-in for all loads: the sign-in endpoint is rate-limited, and signing in is not
// part of what is measured.
const api = await request.newContext({ baseURL: base, extraHTTPHeaders: { Origin: base } });
const login = await api.post('/api/v1/auth/login', {
  data: { email: 'bench@bench.example', password: 'demo1234' },
});
if (!login.ok()) throw new Error(`bench sign-in failed: ${login.status()} ${await login.text()}`);
const storageState = await api.storageState();
await api.dispose();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

const runs = [];
for (let load = 0; load < loads; load++) {
  const context = await browser.newContext({
    storageState,
    viewport: { width: 1600, height: 1000 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  // The page tells us when the board is painted through a console line, so no script of
  // the harness polls inside the measured window.
  await context.addInitScript(() => {
    new PerformanceObserver((list) => {
      if (list.getEntriesByName('board-painted').length) console.log('bench:board-painted');
    }).observe({ type: 'mark', buffered: true });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const painted = page.waitForEvent('console', {
    predicate: (m) => m.text() === 'bench:board-painted',
    timeout: 120_000,
  });
  await page.goto(`${base}/calendar`);
  await painted;
  const run = await page.evaluate(() => {
    const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
    const resources = performance.getEntriesByType('resource');
    const first = (test) => resources.find((r) => test(new URL(r.name)));
    const wasm = first((u) => u.pathname.endsWith('.wasm'));
    const js = first((u) => u.pathname.endsWith('.js'));
    const me = first((u) => u.pathname === '/api/v1/auth/me');
    const boards = resources.filter((r) => new URL(r.name).pathname === '/api/v1/calls');
    const board = boards[0];
    const roster = first((u) => u.pathname === '/api/v1/technicians');
    const nav = performance.getEntriesByType('navigation')[0];
    const appStart = mark('app-start');
    const text = mark('board-text');
    const parsed = mark('board-parsed');
    const wanted = mark('board-wanted');
    const ingested = mark('board-ingested');
    const paintedAt = mark('board-painted');
    return {
      nav_to_board_ms: paintedAt,
      html_ms: nav?.responseEnd ?? null,
      js_end_ms: js?.responseEnd ?? null,
      wasm_start_ms: wasm?.startTime ?? null,
      wasm_fetch_ms: wasm ? wasm.responseEnd - wasm.startTime : null,
      wasm_end_ms: wasm?.responseEnd ?? null,
      // From the wasm's last byte to the app's first line (compile and instantiate; with
      // streaming compilation most of the compile overlaps the download).
      compile_ms: wasm && appStart !== null ? appStart - wasm.responseEnd : null,
      app_start_ms: appStart,
      me_ms: me ? me.responseEnd - me.startTime : null,
      // From the app's first line to the board request (session check, routing, the
      // calendar page starting).
      app_to_board_request_ms: board && appStart !== null ? board.startTime - appStart : null,
      board_request_ms: board?.startTime ?? null,
      board_fetch_ms: board ? board.responseEnd - board.startTime : null,
      board_wait_ms: board ? board.responseStart - board.requestStart : null,
      roster_fetch_ms: roster ? roster.responseEnd - roster.startTime : null,
      // The app has the answer as a string (`board-text`), decoded (`board-parsed`), the
      // calendar asks for it (`board-wanted`: on a cold load the prefetched read is often
      // in before), in the store (`board-ingested`), painted.
      board_text_ms: text,
      board_wanted_ms: wanted,
      parse_ms: text !== null && parsed !== null ? parsed - text : null,
      // From "decoded and wanted" to the store filled (the offline queue's overlay, the
      // store's signals and places).
      store_ms:
        parsed !== null && wanted !== null && ingested !== null
          ? ingested - Math.max(parsed, wanted)
          : null,
      ingest_ms: board && ingested !== null ? ingested - board.responseEnd : null,
      render_ms: ingested !== null && paintedAt !== null ? paintedAt - ingested : null,
      // BENCH.md's `ingest_render_ms`: from the string in memory to the board painted,
      // the app's own work only (the time the decoded board waits for the calendar to ask
      // for it, on a cold load, is start-up and is left out).
      ingest_render_ms:
        text !== null && parsed !== null && wanted !== null && paintedAt !== null
          ? parsed - text + (paintedAt - Math.max(parsed, wanted))
          : null,
      board_requests: boards.length,
      board_bytes: board?.decodedBodySize ?? null,
      board_wire_bytes: board?.encodedBodySize ?? null,
      wasm_bytes: wasm?.decodedBodySize ?? null,
      wasm_wire_bytes: wasm?.encodedBodySize ?? null,
      dom_nodes: document.getElementsByTagName('*').length,
    };
  });
  runs.push(run);
  const f = (v) => (typeof v === 'number' ? v.toFixed(1) : '—');
  console.log(
    `load ${load + 1}/${loads}: nav_to_board ${f(run.nav_to_board_ms)} ms — wasm fetch ${f(run.wasm_fetch_ms)}, ` +
      `compile ${f(run.compile_ms)}, app start → board request ${f(run.app_to_board_request_ms)}, ` +
      `board fetch ${f(run.board_fetch_ms)}, ingest ${f(run.ingest_ms)}, render ${f(run.render_ms)} ms; ` +
      `${run.board_requests} board request(s), ${run.board_bytes} B board`,
  );
  await context.close();
}
await browser.close();

const keys = Object.keys(runs[0]);
const result = { technicians, calls, loads };
for (const key of keys) {
  const values = runs.map((r) => r[key]).filter((v) => typeof v === 'number');
  result[key] = values.length ? round(median(values)) : null;
}
console.table(Object.fromEntries(keys.map((k) => [k, result[k]])));
console.log(`NAV_RESULT ${JSON.stringify(result)}`);
