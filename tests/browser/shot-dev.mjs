// Dev helper: screenshots of a running dashboard and its console errors.
// node tests/browser/shot-dev.mjs http://127.0.0.1:18999 /tmp/shots /path /path2 ...
import { chromium } from 'playwright-core';
import fs from 'node:fs';
const [base, out, ...paths] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log(`[console ${m.type()}] ${m.text()}`); });
page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
for (const p of paths) {
  await page.goto(base + p);
  await page.waitForTimeout(1500);
  const name = p.replace(/[^a-z0-9]+/gi, '_') || 'root';
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  console.log('shot', p);
}
await browser.close();
