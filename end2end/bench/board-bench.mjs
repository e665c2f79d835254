// The board benchmark of ../shared/BENCH.md, run by `cargo xtask bench`: opens
// `/bench?t=T&c=C` in Debian's headless Chromium (BENCH_LOADS fresh page loads), reads
// the figures the page measures itself (render, moves, DOM nodes), drags a call across
// rows with a real pointer (page.mouse) and reads the app's performance measures of each
// drag frame. Prints a table and one line `BENCH_RESULT {json}` of medians.
import { chromium } from '@playwright/test';

const base = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const technicians = Number(process.env.BENCH_T ?? 50);
const calls = Number(process.env.BENCH_C ?? 2000);
const loads = Number(process.env.BENCH_LOADS ?? 5);
/** Pointer moves of the drag, each in a frame of its own. */
const DRAG_STEPS = 60;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
};
const round = (v) => Math.round(v * 100) / 100;

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
const version = browser.version();

/** Drags the first call of the first technician's row down across rows, one move per
 * frame, and returns the app's `drag-frame` and `drag-work` measures. */
async function drag(page) {
  const block = page.locator('.timeline__row:nth-child(2) [data-call-id]').first();
  const box = await block.boundingBox();
  if (!box) throw new Error('no call block to drag');
  const start = { x: box.x + Math.min(12, box.width / 3), y: box.y + box.height / 2 };
  await page.evaluate(() => performance.clearMeasures());
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  const frame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  for (let i = 1; i <= DRAG_STEPS; i++) {
    // Down ~10 rows and right about a day: the ghost changes row and time.
    await page.mouse.move(start.x + i * 4, start.y + i * 9.5);
    await frame();
  }
  const ghost = await page.getByTestId('drag-ghost').textContent();
  // Escape cancels the drag, so letting go changes nothing.
  await page.keyboard.press('Escape');
  await page.mouse.up();
  await frame();
  const measures = await page.evaluate(() => ({
    frames: performance.getEntriesByName('drag-frame').map((e) => e.duration),
    work: performance.getEntriesByName('drag-work').map((e) => e.duration),
    render: performance.getEntriesByName('drag-render').map((e) => e.duration),
  }));
  if (measures.frames.length < DRAG_STEPS / 2) {
    throw new Error(`only ${measures.frames.length} drag frames measured (ghost: ${ghost})`);
  }
  // Busy time of a frame: the handling of its pointer move plus its rendering (one move
  // per frame, so the i-th work and render measures belong to the same frame).
  const busy = measures.render.map((r, i) => r + (measures.work[i] ?? 0));
  return { ...measures, busy, ghost };
}

const runs = [];
for (let load = 0; load < loads; load++) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  // The page logs `bench:done` when its figures are in: waiting for that line, rather
  // than polling the page, keeps the harness's own scripts out of the measured window.
  const done = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:done', timeout: 600_000 });
  await page.goto(`${base}/bench?t=${technicians}&c=${calls}`);
  await done;
  const figures = await page.evaluate(() => window.__bench);
  const dragged = await drag(page);
  const run = {
    ...figures,
    drag_frames: dragged.frames.length,
    drag_frame_ms_p50: percentile(dragged.frames, 0.5),
    drag_frame_ms_p99: percentile(dragged.frames, 0.99),
    drag_work_ms_p50: percentile(dragged.work, 0.5),
    drag_work_ms_p99: percentile(dragged.work, 0.99),
    drag_busy_ms_p50: percentile(dragged.busy, 0.5),
    drag_busy_ms_p99: percentile(dragged.busy, 0.99),
  };
  runs.push(run);
  const f = (v, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '—');
  console.log(
    `load ${load + 1}/${loads}: ingest+render ${f(run.ingest_render_ms)} ms (parse ${f(run.parse_ms)}, store ${f(run.ingest_ms - run.parse_ms)}), render ${f(run.render_ms)} ms, move p50 ${f(run.move_ms_p50)} / max ${f(run.move_ms_max)} ms, ` +
      `drag frame p50 ${f(run.drag_frame_ms_p50)} / p99 ${f(run.drag_frame_ms_p99)} ms, ` +
      `busy p50 ${f(run.drag_busy_ms_p50)} ms; move busy p50 ${f(run.move_busy_ms_p50)} ms, ${run.dom_nodes} DOM nodes (ghost: "${dragged.ghost}")`,
  );
  await context.close();
}
await browser.close();

const keys = [
  'ingest_render_ms',
  'parse_ms',
  'ingest_ms',
  'render_ms',
  'move_ms_p50',
  'move_ms_max',
  'move_busy_ms_p50',
  'move_busy_ms_max',
  'drag_frame_ms_p50',
  'drag_frame_ms_p99',
  'drag_work_ms_p50',
  'drag_work_ms_p99',
  'drag_busy_ms_p50',
  'drag_busy_ms_p99',
  'dom_nodes',
  'board_json_bytes',
];
const result = { technicians, calls, loads, chromium: version };
// Figures a page does not report (an older build) stay null.
for (const key of keys) {
  const values = runs.map((r) => r[key]).filter((v) => typeof v === 'number');
  result[key] = values.length ? round(median(values)) : null;
}
console.table(Object.fromEntries(keys.map((k) => [k, result[k]])));
console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
