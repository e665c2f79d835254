// Takes the manifest's two screenshots (one `wide`, one `narrow`) of the real board from
// a running demo server (`cargo xtask run`, or BASE_URL), by hand after a visible change
// of the board; the PNGs are committed under public/screenshots/ with a content hash in
// their names and public/manifest.webmanifest is pointed at them.
//   BASE_URL=http://127.0.0.1:8080 node end2end/pwa/screenshots.mjs
import { chromium } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const outDir = join(root, 'public/screenshots');
mkdirSync(outDir, { recursive: true });

// Chromium's install dialog wants each side between 320 and 3840 px and at most a 2.3
// aspect ratio; `wide` is a desktop window, `narrow` a phone held upright.
const shots = [
  { name: 'board-wide', form_factor: 'wide', width: 1280, height: 800, label: 'The dispatch calendar with technicians as rows and the incoming requests below' },
  { name: 'board-narrow', form_factor: 'narrow', width: 412, height: 860, label: 'The dispatch board on a phone' },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const written = [];
for (const shot of shots) {
  const page = await browser.newPage({ bypassCSP: true, viewport: { width: shot.width, height: shot.height }, locale: 'en-GB', timezoneId: 'Europe/Zurich' });
  await page.goto(`${base}/login`);
  await page.getByLabel('E-mail').fill('dispatcher@alpen.example');
  await page.getByLabel('Password', { exact: true }).fill('demo1234');
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await page.waitForURL(/calendar/);
  await page.locator('.timeline__row [data-call-id]').first().waitFor();
  await page.getByTestId('live-indicator').getByText('Live', { exact: true }).waitFor();
  // The toasts of live bookings come and go: none in the picture.
  await page.addStyleTag({ content: '.toast-host, .toasts { display: none !important; }' });
  const png = await page.screenshot({ type: 'png' });
  const hash = createHash('sha256').update(png).digest('hex').slice(0, 16);
  const file = `${shot.name}-${hash}.png`;
  for (const old of readdirSync(outDir)) {
    if (old.startsWith(`${shot.name}-`) && old !== file) rmSync(join(outDir, old));
  }
  writeFileSync(join(outDir, file), png);
  written.push({
    src: `/public/screenshots/${file}`,
    sizes: `${shot.width}x${shot.height}`,
    type: 'image/png',
    form_factor: shot.form_factor,
    label: shot.label,
  });
  console.log(`${file} ${png.length} B`);
  await page.close();
}
await browser.close();

const manifestPath = join(root, 'public/manifest.webmanifest');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
manifest.screenshots = written;
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
