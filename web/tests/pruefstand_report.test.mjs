// The Prüfstand's HTML report in a real browser: `drehscheibe pruefstand run
// --target gate` writes a report, Debian's chromium (driven by
// playwright-core) opens it, axe-core looks for serious and critical
// accessibility violations, and a screenshot goes to
// docs/screenshots/pruefstand-report.png (shown in the README).
// The binary is $DS_BIN (default ../build/release/src/cli/drehscheibe).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.DS_BIN ??
  path.resolve(here, '../../build/release/src/cli/drehscheibe');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const screenshot = path.resolve(here, '../../docs/screenshots/pruefstand-report.png');
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let dir;
let browser;
let page;
const requests = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ds-pruefstand-report-'));
  // The whole catalogue against the local gate without a virus scanner:
  // the EICAR samples get through, so the report shows failing rows too.
  const r = spawnSync(bin, ['pruefstand', 'run', '--target', 'gate',
                            '--no-clamd', '--out', dir],
                      { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.match(r.stderr, /\[111\/111\]/);

  browser = await chromium.launch({ executablePath: chromiumPath,
                                    args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1500 },
                                 javaScriptEnabled: true });
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(pathToFileURL(path.join(dir, 'report.html')).href);
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the report is German, titled and loads nothing but itself', async () => {
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.match(await page.title(), /^Prüfstand-Protokoll/);
  assert.equal(await page.locator('script').count(), 0);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), []);
  assert.equal(requests.length, 1);
});

test('the report has the summary by threat class and every sample', async () => {
  const headings = await page.locator('h2').allTextContents();
  assert.deepEqual(headings, [
    'Angaben zur Prüfung', 'Ergebnis', 'Zusammenfassung nach Bedrohungsklasse',
    'Was die Ergebnisse bedeuten', 'Durchgelassene und fehlerhafte Proben',
    'Einzelergebnisse']);
  const rows = page.locator('section[aria-labelledby="h-details"] tbody tr');
  assert.equal(await rows.count(), 111);
  const text = await page.locator('body').innerText();
  assert.match(text, /Katalog/);
  assert.match(text, /T01-eicar-txt/);
  assert.match(text, /NICHT bestanden/);
});

test('axe-core finds no serious or critical violation', async () => {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter(
    (v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), []);
});

test('a screenshot of the report is written for the README', async () => {
  mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: false });
  const png = readFileSync(screenshot);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
});
