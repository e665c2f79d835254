// Rasterises public/icon.svg into the app's PNG icons with headless Chromium, once, by
// hand (`node end2end/pwa/icons.mjs` after changing the SVG); the PNGs are committed.
// Chromium is already on every machine that runs the suite, while a rasteriser crate
// (resvg and its font stack) would be compiled cold in every fresh build for images that
// change once a year.
//
// Writes public/icons/{icon-192,icon-512,maskable-512,apple-touch-180}-<hash>.png, the
// hash being the first 16 hex digits of the PNG's SHA-256, so a changed icon has a new
// name (the server caches hashed names for a year), deletes the previous set, and points
// public/manifest.webmanifest and index.html's apple-touch-icon at the new names.
import { chromium } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const svg = readFileSync(join(root, 'public/icon.svg'), 'utf8');
const outDir = join(root, 'public/icons');
mkdirSync(outDir, { recursive: true });

// `maskable`: the platform cuts any shape out of the square, keeping only the centre
// circle of 80 % of its width, so the brand colour fills the square and the glyph sits
// well inside the safe zone (the SVG's rounded corners would otherwise show as corners).
const icons = [
  { name: 'icon-192', size: 192, maskable: false },
  { name: 'icon-512', size: 512, maskable: false },
  { name: 'maskable-512', size: 512, maskable: true },
  { name: 'apple-touch-180', size: 180, maskable: true },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const written = {};
for (const icon of icons) {
  const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
  const inner = icon.maskable ? Math.round(icon.size * 0.7) : icon.size;
  const html = `<!doctype html><style>
    html, body { margin: 0; width: ${icon.size}px; height: ${icon.size}px; overflow: hidden;
      background: ${icon.maskable ? '#12343b' : 'transparent'}; }
    body { display: flex; align-items: center; justify-content: center; }
    img { width: ${inner}px; height: ${inner}px; display: block; }
  </style><img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`;
  await page.setContent(html);
  await page.locator('img').evaluate((img) => img.decode());
  const png = await page.screenshot({ omitBackground: !icon.maskable, type: 'png' });
  const hash = createHash('sha256').update(png).digest('hex').slice(0, 16);
  const file = `${icon.name}-${hash}.png`;
  for (const old of readdirSync(outDir)) {
    if (old.startsWith(`${icon.name}-`) && old !== file) rmSync(join(outDir, old));
  }
  writeFileSync(join(outDir, file), png);
  written[icon.name] = `/public/icons/${file}`;
  console.log(`${file} ${png.length} B`);
  await page.close();
}
await browser.close();

const manifestPath = join(root, 'public/manifest.webmanifest');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
manifest.icons = [
  { src: written['icon-192'], sizes: '192x192', type: 'image/png', purpose: 'any' },
  { src: written['icon-512'], sizes: '512x512', type: 'image/png', purpose: 'any' },
  { src: written['maskable-512'], sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  { src: '/public/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
];
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');

const indexPath = join(root, 'index.html');
const index = readFileSync(indexPath, 'utf8').replace(
  /<link rel="apple-touch-icon" href="[^"]*" \/>/,
  `<link rel="apple-touch-icon" href="${written['apple-touch-180']}" />`,
);
writeFileSync(indexPath, index);
