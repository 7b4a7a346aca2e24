// The web UI in a real browser against a real hub: `drehscheibe demo`
// (local Zustelldienst and hub in one process) files sample applications;
// its clamd socket does not exist, so the hub quarantines the attachments.
// Debian's chromium, driven by playwright-core, logs in, opens the
// Posteingang and a case, sees the quarantined attachment marked, tries a
// case of another tenant by URL, walks the main flow by keyboard only and
// runs axe-core on every page (no serious or critical violation). The
// running demo also routes every case to a Fachverfahren whose port is
// closed at first (one attempt, then a dead letter); the test redelivers one
// from the browser once a receiver that checks the signature listens there.
// Screenshots go to docs/screenshots/web-*.png (shown in the README).
// The binary is $DS_BIN (default ../build/release/src/cli/drehscheibe).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.DS_BIN ??
  path.resolve(here, '../../build/release/src/cli/drehscheibe');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const shots = path.resolve(here, '../../docs/screenshots');
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const tenant = 'demo-musterstadt';
const password = 'ein-langes-test-passwort';
let dir;
let hub;
let base;
let browser;
let hookPort;
let hookServer;
const hookSecret = 'geheimnis-des-test-fachverfahrens-0123456789';
const foreignRequests = [];
const cspErrors = [];

function addUser(t, user, role) {
  const r = spawnSync(bin, ['--data', dir, 'web', 'user', 'add', '--tenant', t,
                            '--user', user, '--role', role],
                      { input: `${password}\n`, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, new RegExp(password));
}

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 },
                                             locale: 'de-DE' });
  const page = await context.newPage();
  page.on('request', (req) => {
    if (!req.url().startsWith(base)) foreignRequests.push(req.url());
  });
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/.test(msg.text())) cspErrors.push(msg.text());
  });
  return page;
}

async function logIn(page, t, user) {
  await page.goto(`${base}/anmelden`);
  await page.getByLabel('Mandant').fill(t);
  await page.getByLabel('Benutzername').fill(user);
  await page.getByLabel('Passwort').fill(password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(`${base}/posteingang`);
}

async function axe(page) {
  // Through the DevTools protocol: the page's CSP forbids inline scripts.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
}

async function shot(page, name, fullPage = false) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, name), fullPage });
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ds-web-ui-'));
  addUser(tenant, 'e.beispiel', 'clerk');
  addUser(tenant, 'it.betrieb', 'operator');
  addUser(tenant, 'a.admin', 'tenant-admin');
  addUser('kreis-b', 'b.fremd', 'clerk');
  // Too short a password is refused (exit 1), nothing is echoed.
  const short = spawnSync(bin, ['--data', dir, 'web', 'user', 'add', '--tenant', tenant,
                                '--user', 'kurz', '--role', 'clerk'],
                          { input: 'kurz\n', encoding: 'utf8' });
  assert.equal(short.status, 1, short.stderr);
  assert.match(short.stderr, /12 characters/);

  // Three clean cases first (no virus scanner asked for: nothing is
  // quarantined), then the running hub with an unreachable clamd.
  const once = spawnSync(bin, ['--data', dir, 'demo', '--once', '--count', '3'],
                         { encoding: 'utf8', timeout: 300000 });
  assert.equal(once.status, 0, once.stderr + once.stdout);

  // A Fachverfahren that is down: a port that was free a moment ago.
  hookPort = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  writeFileSync(path.join(dir, 'hook.secret'), hookSecret, { mode: 0o600 });
  writeFileSync(path.join(dir, 'routing.toml'), `
[[routing.targets]]
id = "sozialamt-fv"
tenant = "${tenant}"
kind = "webhook"
url = "http://127.0.0.1:${hookPort}/eingang"
secret_file = "${path.join(dir, 'hook.secret')}"
max_attempts = 1

[[routing.rules]]
name = "alles-ans-sozialamt"
tenant = "${tenant}"
targets = ["sozialamt-fv"]
`);

  hub = spawn(bin, ['--data', dir, 'demo', '--listen', '127.0.0.1:0', '--count', '3',
                    '--clamd', path.join(dir, 'no-clamd.sock'),
                    '--routing', path.join(dir, 'routing.toml')],
              { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${out}`)), 240000);
    const read = (chunk) => {
      out += chunk;
      const m = out.match(/Web-Oberfläche: (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    hub.stdout.on('data', read);
    hub.stderr.on('data', read);
    hub.on('exit', (code) => reject(new Error(`demo exited ${code}:\n${out}`)));
  });
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  hookServer?.close();
  hub?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let caseUrl;

test('a clerk logs in and sees the Posteingang', async () => {
  const page = await newPage();
  await page.goto(`${base}/anmelden`);
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.deepEqual(await axe(page), []);
  await logIn(page, tenant, 'e.beispiel');
  // The hub processes the submissions in the background.
  for (let i = 0; i < 120; i++) {
    if (await page.locator('tbody tr').count() >= 6) break;
    await page.waitForTimeout(500);
    await page.reload();
  }
  assert.equal(await page.locator('tbody tr').count(), 6);
  assert.equal(await page.locator('tbody tr.flag-quarantined').count(), 3);
  assert.equal(await page.locator('tbody tr.flag-clean').count(), 3);
  assert.equal(await page.locator('h1').textContent(), 'Posteingang');
  assert.ok(await page.locator('th[scope=col]', { hasText: 'Prüfergebnis' }).count());
  assert.deepEqual(await axe(page), []);
  await shot(page, 'web-posteingang.png');
  caseUrl = await page.locator('tbody tr.flag-quarantined a').first().getAttribute('href');
  assert.match(caseUrl, /^\/vorgaenge\//);
  await page.context().close();
});

test('the case shows form data, documents and the quarantined attachment marked', async () => {
  const page = await newPage();
  await logIn(page, tenant, 'e.beispiel');
  await page.goto(base + caseUrl);
  assert.ok(await page.getByRole('heading', { name: 'Antragsdaten' }).count());
  assert.match(await page.locator('.formdata').innerText(), /Familienname/);
  const docs = page.locator('section[aria-labelledby="h-docs"] tbody tr');
  assert.ok(await docs.count() >= 2);
  const quarantined = page.locator('tr.flag-quarantined', { hasText: 'Mietvertrag.pdf' });
  assert.equal(await quarantined.count(), 1);
  assert.match(await quarantined.innerText(), /in Quarantäne/);
  assert.match(await quarantined.innerText(), /gesperrt/);
  assert.equal(await quarantined.locator('a').count(), 0);  // no download
  assert.match(await page.locator('.notice.warn').innerText(), /Quarantäne/);
  assert.ok(await page.getByRole('heading', { name: 'FIT-Connect-Ereignisprotokoll' }).count());
  assert.deepEqual(await axe(page), []);
  await shot(page, 'web-vorgang.png', true);
  await page.context().close();
});

test("another tenant's clerk cannot reach the case by URL", async () => {
  const page = await newPage();
  await logIn(page, 'kreis-b', 'b.fremd');
  const response = await page.goto(base + caseUrl);
  assert.equal(response.status(), 404);
  assert.doesNotMatch(await page.locator('main').innerText(), /Antrag|Mietvertrag/);
  assert.equal(await page.locator('tbody tr').count(), 0);
  await page.goto(`${base}/posteingang`);
  assert.match(await page.locator('main').innerText(), /Keine Vorgänge gefunden/);
  await page.context().close();
});

test('the main flow works with the keyboard alone', async () => {
  const page = await newPage();
  await page.goto(`${base}/anmelden`);
  // The skip link comes first and is visible when focused.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  assert.ok(await page.locator('.skip').isVisible());
  await page.keyboard.press('Enter');
  const focusTo = async (predicate, limit = 40) => {
    for (let i = 0; i < limit; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(predicate)) return;
    }
    throw new Error('focus never reached the element');
  };
  await focusTo(() => document.activeElement.id === 'mandant');
  await page.keyboard.type(tenant);
  await page.keyboard.press('Tab');
  await page.keyboard.type('e.beispiel');
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/posteingang`);
  await focusTo(() => (document.activeElement.getAttribute('href') || '').startsWith('/vorgaenge/'));
  // The focus is visible (outline from :focus-visible).
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, 'solid');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/vorgaenge\//);
  assert.ok(await page.getByRole('heading', { name: 'Dokumente' }).count());
  // Change the subject from the keyboard: focus the field, type, submit.
  await focusTo(() => document.activeElement.id === 'betreff', 200);
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Wohngeld – Unterlagen vollständig');
  await page.keyboard.press('Enter');
  await page.waitForURL(/ok=meta/);
  assert.match(await page.locator('[role=status]').innerText(), /gespeichert/);
  assert.equal(await page.locator('h1').innerText(), 'Wohngeld – Unterlagen vollständig');
  await page.context().close();
});

test('a clean PDF is previewed as a rendered page, never inline', async () => {
  const page = await newPage();
  await logIn(page, tenant, 'e.beispiel');
  await page.goto(`${base}/posteingang?verdict=clean`);
  assert.equal(await page.locator('tbody tr').count(), 3);
  await page.locator('tbody tr a').first().click();
  await page.waitForURL(/\/vorgaenge\//);
  await page.getByRole('link', { name: 'Vorschau Mietvertrag.pdf' }).click();
  await page.waitForURL(/\/vorschau/);
  assert.match(await page.locator('[role=status]').innerText(), /Seite 1 von 1/);
  const img = page.locator('.preview img');
  await img.evaluate((el) => el.decode());
  assert.ok(await img.evaluate((el) => el.naturalWidth) > 100);
  assert.match(await img.getAttribute('alt'), /Seite 1 von 1 – Mietvertrag\.pdf/);
  const png = await page.request.get(base + await img.getAttribute('src'));
  assert.equal(png.headers()['content-type'], 'image/png');
  assert.deepEqual(await axe(page), []);
  await shot(page, 'web-vorschau.png');
  await page.context().close();
});

test('operator pages: health, destinations and keys, audit trail', async () => {
  const page = await newPage();
  await logIn(page, tenant, 'a.admin');
  await page.goto(`${base}/betrieb`);
  const main = await page.locator('main').innerText();
  assert.match(main, /Virenscanner/);
  assert.match(main, /Eingangswarteschlange/);
  assert.match(main, /Zustellpunkte und Schlüssel/);
  assert.match(main, /gültig/);
  assert.deepEqual(await axe(page), []);
  await shot(page, 'web-betrieb.png');

  await page.goto(`${base}/betrieb/protokoll`);
  assert.match(await page.locator('main').innerText(), /read-content/);
  assert.deepEqual(await axe(page), []);
  await shot(page, 'web-protokoll.png');

  // An operator sees the page but no audit trail and no content.
  const ops = await newPage();
  await logIn(ops, tenant, 'it.betrieb');
  assert.equal((await ops.goto(`${base}/betrieb/protokoll`)).status(), 403);
  await ops.goto(base + caseUrl);
  assert.match(await ops.locator('main').innerText(), /darf Inhalte von Vorgängen nicht sehen/);
  assert.deepEqual(await axe(ops), []);
  await page.context().close();
  await ops.context().close();
});

test('a dead letter is redelivered from the browser once the Fachverfahren is back', async () => {
  const page = await newPage();
  await logIn(page, tenant, 'a.admin');
  await page.goto(`${base}/betrieb`);
  await page.getByRole('link', { name: 'Weiterleitung öffnen' }).click();
  await page.waitForURL(`${base}/betrieb/weiterleitung`);
  // The three cases of the running demo: one attempt each, then dead.
  const deadRows = page.locator('tr', { hasText: 'sozialamt-fv' })
    .filter({ has: page.getByRole('button') });
  for (let i = 0; i < 120 && await deadRows.count() < 3; i++) {
    await page.waitForTimeout(500);
    await page.reload();
  }
  assert.equal(await deadRows.count(), 3);
  const main = await page.locator('main').innerText();
  assert.match(main, /alles-ans-sozialamt/);  // the rule, from the file
  assert.match(main, /Probelauf/);
  assert.deepEqual(await axe(page), []);
  await shot(page, 'web-weiterleitung.png', true);

  // An operator sees the dead letters but may not redeliver.
  const ops = await newPage();
  await logIn(ops, tenant, 'it.betrieb');
  await ops.goto(`${base}/betrieb/weiterleitung`);
  assert.match(await ops.locator('main').innerText(), /darf erneut zustellen/);
  assert.equal(await ops.getByRole('button', { name: /^Erneut zustellen/ }).count(), 0);
  await ops.context().close();

  // The Fachverfahren comes back; it accepts only correctly signed posts.
  const received = [];
  hookServer = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const stamp = req.headers['x-drehscheibe-timestamp'] ?? '';
      const want = Buffer.from('v1=' + createHmac('sha256', hookSecret)
        .update(`${stamp}.`).update(body).digest('hex'));
      const got = Buffer.from(req.headers['x-drehscheibe-signature'] ?? '');
      if (got.length !== want.length || !timingSafeEqual(got, want)) {
        res.writeHead(401).end();
        return;
      }
      received.push(JSON.parse(body.toString('utf8')));
      res.writeHead(200).end();
    });
  });
  await new Promise((resolve) => hookServer.listen(hookPort, '127.0.0.1', resolve));

  const first = deadRows.first();
  const vorgangUrl = await first.locator('a').getAttribute('href');
  assert.match(vorgangUrl, /^\/vorgaenge\//);
  await first.getByRole('button', { name: /^Erneut zustellen: sozialamt-fv/ }).click();
  await page.waitForURL(/ok=erneut/);
  assert.match(await page.locator('[role=status]').innerText(), /wieder in der Warteschlange/);
  for (let i = 0; i < 60 && received.length < 1; i++) await page.waitForTimeout(250);
  assert.equal(received.length, 1);
  // The other two stay dead: nothing is redelivered that was not asked for.
  await page.reload();
  assert.equal(await deadRows.count(), 2);

  // The case's history shows the delivery as done.
  await page.goto(base + vorgangUrl);
  const history = page.locator('tr', { hasText: 'sozialamt-fv' });
  for (let i = 0; i < 40 && !/zugestellt/.test(await history.innerText()); i++) {
    await page.waitForTimeout(250);
    await page.reload();
  }
  assert.match(await history.innerText(), /zugestellt/);
  assert.doesNotMatch(await history.innerText(), /unzustellbar/);
  assert.deepEqual(await axe(page), []);
  await page.context().close();
});

test('English on request, and the Posteingang filters work', async () => {
  const page = await newPage();
  await logIn(page, tenant, 'e.beispiel');
  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL(`${base}/posteingang`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('h1').textContent(), 'Inbox');
  await page.getByLabel('Check result').selectOption('rejected');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/verdict=rejected/);
  assert.match(await page.locator('#anzahl').innerText(), /No cases found/);
  assert.deepEqual(await axe(page), []);
  await page.context().close();
});

test('the committed htmx is the one pinned in package-lock.json', () => {
  const pinned = readFileSync(
    createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));
  const committed = readFileSync(path.resolve(here, '../static/htmx.min.js'));
  assert.ok(pinned.equals(committed), 'web/static/htmx.min.js differs from npm htmx.org');
});

test('the pages load nothing from elsewhere and break no CSP rule', () => {
  assert.deepEqual(foreignRequests, []);
  assert.deepEqual(cspErrors, []);
});
