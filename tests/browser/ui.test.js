// Lotse in a real browser: Debian's Chromium driven by playwright-core, checked with axe-core.
// Started by scripts/test with LOTSE_BIN pointing at the built binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const here = dirname(new URL(import.meta.url).pathname);
const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

const bin = process.env.LOTSE_BIN;
assert.ok(bin, 'LOTSE_BIN must point at the lotse binary');

let server, base, browser, dataDir;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lotse-browser-'));
  server = spawn(bin, ['--data-dir', dataDir, 'serve', '--demo', '--listen', '127.0.0.1:0'], {
    env: { ...process.env, LOTSE_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`lotse exited early (${code}): ${out}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs axe-core on the current page; fails on serious or critical violations (WCAG 2.1 A/AA). */
async function checkAccessibility(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.deepEqual(report, [], `axe violations on ${label}`);
  return result.violations.length;
}

async function newPage(width = 1280, height = 900) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'de-DE' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  return { context, page, problems };
}

async function login(page, username) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Benutzername').fill(username);
  await page.getByLabel('Passwort').fill('lotse-demo');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(`${base}/`);
}

for (const username of ['admin', 'koordination', 'partner', 'lesen']) {
  test(`${username}: log in, open every top-level page, log out – no serious axe violations`, async () => {
    const { context, page, problems } = await newPage();
    await page.goto(`${base}/`);
    assert.equal(new URL(page.url()).pathname, '/login');
    await checkAccessibility(page, 'login');
    await login(page, username);
    const links = await page.locator('nav.main-nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.length >= 3, `navigation for ${username}: ${links}`);
    for (const href of links) {
      const response = await page.goto(`${base}${href}`);
      assert.equal(response.status(), 200, href);
      assert.equal(await page.locator('h1').count(), 1, `one h1 on ${href}`);
      await checkAccessibility(page, `${username} ${href}`);
    }
    await page.screenshot({ path: join(artifacts, `${username}-last-page.png`), fullPage: true });
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(/\/login\?ok=logout$/);
    await page.goto(`${base}/`);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.deepEqual(problems, [], 'no console errors (CSP violations would show here)');
    await context.close();
  });
}

// Each role's start page is its work inbox, on a desk (1366 px) and on a phone (360 px): what it
// shows comes from the demo data; the page does not scroll sideways; axe-core is clean.
const inboxes = {
  koordination: { heading: 'Zu prüfen und freizugeben', work: /eingereichte Berichte zu prüfen/ },
  partner: { heading: 'Ihre offenen Berichte', work: /Abgabefrist \d\d\.\d\d\.\d{4}/ },
  lesen: { heading: 'Sachstandsberichte für den Ausschuss', work: /Neuester Bericht: / },
  admin: { heading: 'Auf einen Blick', work: /Benutzerkonten/ },
};
for (const [username, inbox] of Object.entries(inboxes)) {
  for (const width of [1366, 360]) {
    test(`${username} at ${width} px: the start page shows this role's open work – axe clean`, async () => {
      const { context, page, problems } = await newPage(width, width === 360 ? 740 : 900);
      await login(page, username);
      await page.getByRole('heading', { name: inbox.heading }).waitFor();
      assert.match(await page.locator('main').innerText(), inbox.work);
      // Every count is a link to its list, and the list opens.
      const first = page.locator('ul.inbox a').first();
      if (await first.count() > 0) {
        const href = await first.getAttribute('href');
        const response = await page.request.get(`${base}${href}`);
        assert.equal(response.status(), 200, href);
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `no sideways scrolling at ${width} px (${overflow} px too wide)`);
      // The bell names its state; the search is in the header.
      assert.match(await page.locator('a.bell').getAttribute('aria-label'), /^Benachrichtigungen: /);
      await page.getByRole('searchbox', { name: /Finden in Maßnahmen/ }).fill('Sprache');
      await page.getByRole('searchbox', { name: /Finden in Maßnahmen/ }).press('Enter');
      await page.waitForURL(/\/search\?q=Sprache/);
      await checkAccessibility(page, `${username} search at ${width}`);
      await page.goBack();
      await checkAccessibility(page, `${username} start page at ${width}`);
      await page.screenshot({ path: join(artifacts, `start-${username}-${width}.png`), fullPage: true });
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
}

test('forms: errors are announced and named; htmx filters without reloading; phone width', async () => {
  const { context, page, problems } = await newPage(390);
  await login(page, 'koordination');
  await page.goto(`${base}/organisations/new`);
  await checkAccessibility(page, 'new organisation form');
  await page.getByLabel('PLZ').fill('123');
  await page.getByRole('button', { name: 'Speichern' }).click();
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Name: Pflichtfeld/);
  assert.match(await summary.innerText(), /PLZ: Die Postleitzahl hat 5 Ziffern/);
  assert.equal(await page.getByLabel('PLZ', { exact: false }).getAttribute('aria-invalid'), 'true');
  await checkAccessibility(page, 'form with errors');
  await page.screenshot({ path: join(artifacts, 'form-errors-phone.png'), fullPage: true });

  await page.goto(`${base}/measures/import`);
  await checkAccessibility(page, 'catalogue import');
  await page.goto(`${base}/account/totp`);
  const qr = page.getByRole('img', { name: /QR-Code/ });
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'QR code renders under the CSP');
  await checkAccessibility(page, 'second factor enrolment');

  await page.goto(`${base}/organisations`);
  // A full page load would lose this marker; an htmx swap keeps it.
  await page.evaluate(() => { window.lotseMarker = 'kept'; });
  await page.getByLabel('Suche').fill('Sprachkurse');
  await page.waitForFunction(() => document.querySelector('#result-count')?.textContent.includes('1 Organisation gefunden'));
  assert.equal(await page.evaluate(() => window.lotseMarker), 'kept', 'htmx swapped the results without a page load');
  assert.match(new URL(page.url()).search, /q=Sprachkurse/, 'the filter is in the address for bookmarks');
  await checkAccessibility(page, 'filtered list');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 390, `no horizontal scrolling at phone width (${scrollWidth}px)`);
  // A table read on a phone keeps its headers: each stacked cell names its column, also
  // after the htmx swap.
  const firstCell = page.locator('table tbody tr').first().locator('td').first();
  const label = await firstCell.getAttribute('data-label');
  assert.ok(label && label.length > 0, 'the cell names its column');
  const shown = await firstCell.evaluate((cell) => getComputedStyle(cell, '::before').content);
  assert.ok(shown.includes(label), `the label shows before the value (${shown})`);
  // 422 is how a refused form answers; anything else would be a problem.
  assert.deepEqual(problems.filter((p) => !p.includes('422')), []);
  await context.close();
});

test('review round: a partner reports, coordination accepts and closes, the committee report shows it', async () => {
  const { context, page, problems } = await newPage();
  const logout = async () => {
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(/\/login/);
  };

  await login(page, 'koordination');
  await page.goto(`${base}/rounds`);
  await page.getByLabel('Titel', { exact: false }).fill('Browser-Runde');
  await page.getByLabel('Stichtag', { exact: false }).fill('2026-09-30');
  await page.getByLabel('KIM', { exact: true }).check();
  await page.getByRole('button', { name: 'Runde eröffnen' }).click();
  await page.waitForURL(/\/rounds\/[^/]+\?ok=created$/);
  const roundUrl = page.url().replace(/\?.*$/, '');
  await checkAccessibility(page, 'round (coordination)');
  await logout();

  await login(page, 'partner');
  await page.getByRole('link', { name: 'Browser-Runde' }).click();
  const task = page.locator('#tasks-h ~ table tbody a').first();
  const title = (await task.innerText()).trim();
  await task.click();
  await checkAccessibility(page, 'update form (partner)');
  await page.getByLabel('Sachstand zum Stichtag', { exact: false }).selectOption({ label: 'abgeschlossen' });
  await page.getByLabel('Fortschritt', { exact: false }).fill('Im Browser berichtet: 12 Termine.');
  await page.getByRole('button', { name: 'Bericht einreichen' }).click();
  await page.waitForURL(/ok=saved$/);
  await logout();

  await login(page, 'koordination');
  await page.goto(roundUrl);
  // Accepted from the round page with others at once (here: the one submitted report).
  await checkAccessibility(page, 'round page with its reports to accept');
  await page.getByLabel(`${title} annehmen`, { exact: false }).first().check();
  await page.getByRole('button', { name: 'Ausgewählte Berichte annehmen' }).click();
  await page.waitForURL(/ok=accepted$/);
  // Closing is confirmed on its own page, which says what is still outstanding.
  await page.getByRole('link', { name: 'Abschluss vorbereiten …' }).click();
  await page.waitForURL(/\/close$/);
  await checkAccessibility(page, 'closing a round: the confirmation');
  const acknowledge = page.locator('#f-outstanding_ok');
  if (await acknowledge.count() > 0) {
    await page.getByRole('button', { name: 'Runde endgültig abschließen' }).click();
    assert.equal(await page.locator('[role=alert]').count(), 1, 'outstanding reports must be acknowledged');
    await acknowledge.check();
  }
  await page.getByRole('button', { name: 'Runde endgültig abschließen' }).click();
  await page.waitForURL(/ok=round_closed$/);
  await page.getByRole('link', { name: 'Sachstandsbericht ansehen' }).click();
  await page.waitForURL(/\/report$/);
  assert.match(await page.locator('main').innerText(), /Im Browser berichtet: 12 Termine\./);
  await checkAccessibility(page, 'committee status report');
  await page.screenshot({ path: join(artifacts, 'status-report.png'), fullPage: false });
  // 422 is how the unacknowledged close answers; anything else would be a problem.
  assert.deepEqual(problems.filter((p) => !p.includes('422')), []);
  await context.close();
});

test('offers: a partner submits an offer on a phone, translates it, coordination approves', async () => {
  const { context, page, problems } = await newPage(390);
  const logout = async () => {
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(/\/login/);
  };
  await login(page, 'partner');
  await page.goto(`${base}/offers/new`);
  await page.locator('#f-title').fill('Browser-Sprachcafé');
  await page.getByRole('button', { name: 'Zur Freigabe einreichen' }).click();
  // Description, topic and town missing: the summary names them and links to the fields.
  const summary = page.locator('.error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Beschreibung/);
  assert.match(await summary.innerText(), /Themen/);
  await checkAccessibility(page, 'offer form with errors (phone)');
  await page.locator('#f-description').fill('Gespräche auf Deutsch, jeden Mittwoch.');
  await page.getByLabel('Sprachkurse').check();
  await page.getByLabel('Arabisch').check();
  await page.locator('#f-location_town_0').selectOption({ label: 'Beckum' });
  await page.getByRole('button', { name: 'Zur Freigabe einreichen' }).click();
  await page.waitForURL(/\/offers\/[^/]+\?ok=offer_submitted$/);
  const offerUrl = page.url().replace(/\?.*$/, '');
  assert.match(await page.locator('main').innerText(), /wartet auf Freigabe/);
  await checkAccessibility(page, 'offer page (partner)');
  await page.getByRole('link', { name: 'Arabisch' }).click();
  assert.equal(await page.locator('#f-title').getAttribute('dir'), 'rtl');
  await checkAccessibility(page, 'translation form (ar)');
  await page.locator('#f-title').fill('مقهى اللغة');
  await page.getByRole('button', { name: 'Zur Freigabe einreichen' }).click();
  await page.waitForURL(/ok=offer_submitted$/);
  await logout();

  await login(page, 'koordination');
  await page.goto(`${base}/offers?state=submitted&organisation=`);
  await checkAccessibility(page, 'offer list (coordination)');
  await page.getByRole('link', { name: 'Browser-Sprachcafé' }).click();
  await page.getByRole('button', { name: 'Freigeben und veröffentlichen' }).click();
  await page.waitForURL(/ok=offer_published$/);
  assert.match(await page.locator('main').innerText(), /im Angebotsfinder ansehen/);
  assert.equal(page.url().replace(/\?.*$/, ''), offerUrl);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 390, `no horizontal scrolling at phone width (${scrollWidth}px)`);
  assert.deepEqual(problems.filter((p) => !p.includes('422')), []);
  await context.close();
});

// The offer form on a small phone (decision 0015): "Mo–Fr" ticks five days in the page, a click
// on the place's map fills latitude and longitude, and the saved draft shows one slot per day
// and the finder's card – axe-clean at 360 px, no horizontal scrolling.
test('offer form at 360 px: Mo–Fr ticks the days, the map sets the place, the card preview – axe clean', async () => {
  const { context, page, problems } = await newPage(360, 740);
  await login(page, 'partner');
  await page.goto(`${base}/offers/new`);
  await checkAccessibility(page, 'new offer form (360 px)');
  const row = page.locator('#f-hours_days_0');
  await row.getByRole('button', { name: 'Mo–Fr ankreuzen' }).click();
  for (const day of ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag']) {
    assert.equal(await row.getByRole('checkbox', { name: day, exact: true }).isChecked(), true, day);
  }
  assert.equal(await row.getByRole('checkbox', { name: 'Samstag', exact: true }).isChecked(), false);
  assert.equal(new URL(page.url()).pathname, '/offers/new', 'ticked in the page, nothing sent');
  await page.locator('#f-hours_opens_0').fill('09:00');
  await page.locator('#f-hours_closes_0').fill('12:00');

  // A click on Beckum's dot of place 1's map (viewBox 320 × 270, see finder::map_xy).
  const map = page.locator('#ort-1 .map-pick svg');
  await map.waitFor();
  const box = await map.boundingBox();
  const x = (((8.0413 - 7.62) / 0.76) * 300 + 10) / 320 * box.width;
  const y = (((52.12 - 51.7558) / 0.47) * 250 + 10) / 270 * box.height;
  await map.click({ position: { x, y } });
  const lat = parseFloat(await page.locator('#f-location_latitude_0').inputValue());
  const lon = parseFloat(await page.locator('#f-location_longitude_0').inputValue());
  assert.ok(Math.abs(lat - 51.7558) < 0.01 && Math.abs(lon - 8.0413) < 0.01, `${lat} ${lon}`);

  await page.locator('#f-title').fill('Browser-Elterncafé');
  await page.locator('#f-description').fill('Austausch für Eltern, mit Kinderbetreuung.');
  await page.getByLabel('Familie und Kinder').check();
  await page.locator('#f-location_town_0').selectOption({ label: 'Beckum' });
  await page.getByRole('button', { name: 'Als Entwurf speichern' }).click();
  await page.waitForURL(/\/offers\/[^/]+\?ok=offer_draft$/);
  const main = await page.locator('main').innerText();
  for (const day of ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag']) {
    assert.match(main, new RegExp(`${day} 09:00–12:00 Uhr`), day);
  }
  assert.doesNotMatch(main, /Samstag 09:00/);
  assert.match(main, /Vorschau in der Angebotssuche/);
  assert.equal(await page.locator('.finder-preview li.result h3').innerText(), 'Browser-Elterncafé');
  await checkAccessibility(page, 'offer page with preview (360 px)');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 360, `no horizontal scrolling (${scrollWidth}px)`);
  await page.goto(page.url().replace(/\?.*$/, '') + '/edit');
  await checkAccessibility(page, 'offer form filled (360 px)');
  assert.deepEqual(problems, []);
  await context.close();
});

// The finder on a small phone (360 × 640) in German, Arabic (right to left) and Ukrainian: the
// topics lead, the first result shows without scrolling, the filters fold away and keep their
// state in the address, an offer is shared and printed beside German, the legal pages are one
// tap away – axe-clean throughout, no cookies, nothing from other servers.
for (const [prefix, lang, dir] of [['', 'de', 'ltr'], ['/ar', 'ar', 'rtl'], ['/uk', 'uk', 'ltr']]) {
  test(`public finder (${lang}) on a 360 px phone: topics, search, filters, offer, share, print, legal pages – axe clean`, async () => {
    const { context, page, problems } = await newPage(360, 640);
    const foreign = [];
    page.on('request', (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
    await page.goto(`${base}${prefix}/angebote`);
    assert.equal(await page.locator('html').getAttribute('lang'), lang);
    assert.equal(await page.locator('html').getAttribute('dir'), dir);
    assert.ok(await page.locator('.tiles a').count() >= 10, 'topic tiles on the start page');
    await checkAccessibility(page, `finder start (${lang})`);
    // Stemming: the plural finds the demo's "Sprachcafé"/"Sprachkurs" offers.
    await page.locator('#q').fill('Sprachkurse');
    await page.locator('.q-row button').click();
    await page.waitForURL(/q=Sprachkurse/);
    const results = page.locator('ol.results > li');
    assert.ok(await results.count() >= 1, 'results for Sprachkurse');
    const first = await results.first().locator('h3').boundingBox();
    assert.ok(first && first.y + first.height <= 640, `the first result shows without scrolling (${first && first.y + first.height}px)`);
    assert.equal(await page.locator('.tiles').count(), 0, 'no tiles once searching');
    await checkAccessibility(page, `finder results (${lang})`);
    // The filters fold behind one button; what is chosen lands in the address.
    assert.equal(await page.locator('#town').isVisible(), false, 'filters folded');
    await page.locator('details.more > summary').click();
    await page.locator('#q').fill('');
    await page.locator('#town').selectOption('05570008');
    await page.locator('#near').fill('Neubeckum');
    await page.locator('.filter-actions button').click();
    await page.waitForURL(/town=05570008/);
    assert.match(page.url(), /near=Neubeckum/);
    assert.ok(await results.count() >= 1, 'results in Beckum');
    assert.ok(await page.locator('.more summary .chosen').count() === 1, 'the chosen filters are counted');
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 360, `no horizontal scrolling at 360px (${scrollWidth}px)`);
    await checkAccessibility(page, `finder filtered (${lang})`);
    // The language switcher folds away too and still reaches every language.
    await page.locator('details.langs > summary').click();
    assert.ok(await page.locator('details.langs a').count() >= 14, 'every finder language');
    await page.locator('details.langs > summary').click();
    await results.first().locator('h3 a').click();
    await page.waitForURL(new RegExp(`${prefix}/angebote/[^/?]+$`));
    assert.equal(await page.locator('h1').count(), 1);
    const share = await page.locator('#share-url').inputValue();
    assert.ok(share.startsWith('http') && share.includes(`${prefix}/angebote/`), `share link ${share}`);
    await checkAccessibility(page, `offer page (${lang})`);
    await page.screenshot({ path: join(artifacts, `finder-offer-${lang}.png`), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('header.top').isVisible(), false, 'print hides the page header');
    await page.emulateMedia({ media: 'screen' });
    // The printout: the reader's language beside German, with a QR code.
    await page.locator('.share-links a[href$="/druck"]').click();
    await page.waitForURL(/\/druck$/);
    assert.equal(await page.locator('.print-column').count(), lang === 'de' ? 1 : 2);
    assert.equal(await page.locator('.qr svg').count(), 1);
    await checkAccessibility(page, `printout (${lang})`);
    // The legal pages, from the footer of every public page.
    await page.locator('footer .legal a').nth(2).click();
    await page.waitForURL(/barrierefreiheit/);
    assert.equal(await page.locator('#fb-message').count(), 1, 'the feedback form');
    await checkAccessibility(page, `accessibility statement (${lang})`);
    await page.locator('footer .legal a').first().click();
    await page.waitForURL(/impressum/);
    await checkAccessibility(page, `imprint (${lang})`);
    assert.deepEqual(foreign, [], 'no requests to other servers');
    const cookies = await context.cookies();
    assert.deepEqual(cookies, [], 'no cookies');
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('programmes: coordination opens a programme with sites, figures and forms – axe clean', async () => {
  const { context, page, problems } = await newPage();
  await login(page, 'koordination');
  await page.goto(`${base}/programmes`);
  await page.getByRole('link', { name: 'Griffbereit', exact: true }).click();
  await page.waitForURL(/\/programmes\/[^/]+$/);
  assert.match(await page.locator('main').innerText(), /<5/);
  await checkAccessibility(page, 'programme page (coordination)');
  await page.locator('#f-period').fill('Herbst');
  await page.getByRole('button', { name: 'Zahlen speichern' }).click();
  await page.locator('.error-summary').waitFor();
  await checkAccessibility(page, 'programme figures with errors');
  await page.goto(`${base}/programmes/new`);
  await checkAccessibility(page, 'new programme form');
  assert.deepEqual(problems.filter((p) => !p.includes('422')), []);
  await context.close();
});

test('funding: coordination opens a funding programme and a grant – axe clean', async () => {
  const { context, page, problems } = await newPage();
  await login(page, 'koordination');
  await page.goto(`${base}/funding`);
  await page.getByRole('link', { name: 'KOMM-AN NRW' }).click();
  await page.waitForURL(/\/funding\/[^/]+$/);
  await checkAccessibility(page, 'funding programme page');
  await page.locator('table a[href^="/grants/"]').first().click();
  await page.waitForURL(/\/grants\/[^/]+$/);
  assert.match(await page.locator('main').innerText(), /Zwischennachweis/);
  await checkAccessibility(page, 'grant page');
  await page.getByRole('button', { name: 'Eintragen', exact: true }).click();
  await page.locator('.error-summary').waitFor();
  await checkAccessibility(page, 'grant page with errors');
  assert.deepEqual(problems.filter((p) => !p.includes('422')), []);
  await context.close();
});

test('pick lists: Enter in the search narrows the list, Enter in a field saves – axe clean', async () => {
  const { context, page, problems } = await newPage();
  await login(page, 'koordination');
  await page.goto(`${base}/issues/new`);
  await checkAccessibility(page, 'new structural issue form with organisation pick');
  // Enter in the search field runs the search: the form comes back with what was typed.
  await page.locator('#f-title').fill('Wartezeit bei der Anerkennung');
  await page.locator('#f-organisation_q').fill('Ahlen');
  await page.locator('#f-organisation_q').press('Enter');
  // The search goes by POST (the form's texts stay out of the address) and saves nothing.
  await page.waitForURL(`${base}/issues`);
  assert.equal(await page.locator('#f-organisation_q').inputValue(), 'Ahlen');
  assert.equal(await page.locator('#f-title').inputValue(), 'Wartezeit bei der Anerkennung');
  // Enter in a field saves, as before the pick list had a search button.
  await page.locator('#f-title').press('Enter');
  await page.waitForURL(/\/issues\/[^/?]+\?ok=created$/);
  assert.match(await page.locator('main').innerText(), /Wartezeit bei der Anerkennung/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('cases: a case manager takes in a person and moves the case on – axe clean', async () => {
  const { context, page, problems } = await newPage();
  await login(page, 'fallmanagement');
  await page.goto(`${base}/cases`);
  await checkAccessibility(page, 'case list (case manager)');
  await page.goto(`${base}/cases/new`);
  await checkAccessibility(page, 'intake form');
  await page.locator('#f-family_name').fill('Browserprobe');
  await page.locator('#f-given_names').fill('Nour');
  await page.locator('#f-access_route').selectOption('counselling_service');
  await page.getByRole('button', { name: 'Fall anlegen' }).click();
  await page.waitForURL(/\/cases\/[^/?]+\?ok=created$/);
  assert.match(await page.locator('h1').innerText(), /Browserprobe, Nour/);
  await checkAccessibility(page, 'case page');
  await page.locator('#f-phase').selectOption('clearing');
  await page.getByRole('button', { name: 'Phase ändern' }).click();
  await page.waitForURL(/ok=saved$/);
  assert.match(await page.locator('main').innerText(), /Clearing/);
  await checkAccessibility(page, 'case page after a change of phase');
  assert.deepEqual(problems, []);
  await context.close();
});

test('cases: consent with its printed form, sharing and emergency access – axe clean', async () => {
  const { context, page, problems } = await newPage();
  await login(page, 'fallmanagement');
  await page.goto(`${base}/cases`);
  await page.locator('table a[href^="/cases/"]').first().click();
  await page.waitForURL(/\/cases\/[^/?]+$/);
  const caseUrl = page.url();
  await page.goto(`${caseUrl}/consents/new`);
  await checkAccessibility(page, 'consent form');
  await page.locator('#f-purpose').selectOption('release');
  await page.getByRole('button', { name: 'Einwilligung speichern' }).first().click();
  await page.locator('.error-summary').waitFor();
  await checkAccessibility(page, 'consent form with errors');
  await page.locator('#f-form').selectOption('written');
  await page.locator('#f-organisation_id').selectOption({ index: 1 });
  await page.getByLabel('Name und Geburtsdatum').check();
  await page.getByRole('button', { name: 'Einwilligung speichern' }).last().click();
  await page.waitForURL(/ok=saved#consents$/);
  assert.match(await page.locator('#consents').locator('..').innerText(), /gültig/);
  await checkAccessibility(page, 'case page with a consent');
  await page.locator('a[href$="/print"]').first().click();
  await page.waitForURL(/\/print$/);
  await checkAccessibility(page, 'printable consent form');
  await page.goto(`${page.url()}?lang=ar`);
  assert.equal(await page.locator('article[lang="ar"]').getAttribute('dir'), 'rtl');
  await checkAccessibility(page, 'printable consent form, German and Arabic');
  await page.goto(`${caseUrl}/shares/new`);
  await checkAccessibility(page, 'share form');
  await page.goto(`${base}/cases/shares`);
  await checkAccessibility(page, 'share inbox');
  await page.goto(`${base}/cases/break-glass`);
  await checkAccessibility(page, 'emergency access form');
  await page.getByRole('button', { name: 'Notfallzugriff öffnen' }).click();
  await page.locator('.error-summary').waitFor();
  await checkAccessibility(page, 'emergency access form with errors');
  await context.close();
  const review = await newPage();
  await login(review.page, 'koordination');
  await review.page.goto(`${base}/cases/access-reviews`);
  await checkAccessibility(review.page, 'access reviews');
  assert.deepEqual(problems.filter((p) => !p.includes('422')), []);
  assert.deepEqual(review.problems, []);
  await review.context.close();
});

test('cases: intake, assessment, referral, an overdue hand-off on the start page, closure – axe clean', async () => {
  const { context, page, problems } = await newPage();
  await login(page, 'fallmanagement');
  const daysAgo = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
  await page.goto(`${base}/cases/new`);
  await page.locator('#f-family_name').fill('Wegbegleitung');
  await page.locator('#f-given_names').fill('Samira');
  await page.locator('#f-access_route').selectOption('jobcenter');
  await page.locator('#f-opened_on').fill(daysAgo(400));
  await page.getByRole('button', { name: 'Fall anlegen' }).click();
  await page.waitForURL(/\/cases\/[^/?]+\?ok=created$/);
  const caseUrl = page.url().split('?')[0];

  await page.goto(`${caseUrl}/assessments/new`);
  await checkAccessibility(page, 'assessment form');
  await page.locator('#f-life_domain').selectOption('work');
  await page.locator('#f-need_level').selectOption('high');
  await page.locator('#f-situation').fill('Sucht eine Stelle in der Pflege');
  await page.getByRole('button', { name: 'Einschätzung speichern' }).last().click();
  await page.waitForURL(/ok=saved#assessment$/);

  await page.goto(`${caseUrl}/referrals/new`);
  await checkAccessibility(page, 'referral form');
  await page.locator('#f-life_domain').selectOption('work');
  await page.locator('#f-organisation_id').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Vermittlung speichern' }).last().click();
  await page.waitForURL(/ok=saved#referrals$/);

  await page.goto(`${caseUrl}/handoffs/new`);
  await checkAccessibility(page, 'hand-off form');
  await page.locator('#f-handoff_type').selectOption({ index: 1 });
  await page.locator('#f-started_on').fill(daysAgo(390));
  await page.getByRole('button', { name: 'Übergabe speichern' }).last().click();
  await page.waitForURL(/ok=saved#handoffs$/);
  assert.match(await page.locator('#handoffs').locator('..').innerText(), /überschritten|überfällig/i);

  // The stuck hand-off is on the start page the same day.
  await page.goto(`${base}/`);
  assert.match(await page.locator('#uebergaben').locator('..').innerText(), /Wegbegleitung, Samira/);
  await checkAccessibility(page, 'start page with an overdue hand-off');

  await page.goto(caseUrl);
  await page.locator('#f-phase').selectOption('closed');
  await page.locator('#f-closure_reason').selectOption('goals_reached');
  await page.locator('#f-goals_reached').selectOption('partly');
  await page.getByRole('button', { name: 'Phase ändern' }).click();
  await page.waitForURL(/ok=saved$/);
  assert.match(await page.locator('main').innerText(), /Abschluss/);
  await checkAccessibility(page, 'closed case');
  assert.deepEqual(problems, []);
  await context.close();
});

test('school counselling: a family registers in Arabic on a phone, the KI accepts and books with an interpreter, the counsellor records the counselling – axe clean', async () => {
  const { context, page, problems } = await newPage(360, 740);
  const yearsAgo = (n) => { const d = new Date(); d.setFullYear(d.getFullYear() - n); d.setDate(d.getDate() - 30); return d.toISOString().slice(0, 10); };
  await page.goto(`${base}/ar/angebote`);
  await page.locator('footer a[href="/ar/schulanmeldung"]').click();
  await page.waitForURL(/\/ar\/schulanmeldung$/);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  await checkAccessibility(page, 'school registration in Arabic');
  // Sent empty: the errors are listed in Arabic, each a link to its field.
  await page.locator('form.registration button[type=submit]').click();
  await page.locator('#fehler').waitFor();
  assert.ok(await page.locator('#fehler a[href="#s-guardian_name"]').count() === 1);
  assert.equal(await page.locator('#s-guardian_name').getAttribute('aria-invalid'), 'true');
  await checkAccessibility(page, 'school registration with errors');
  await page.locator('#s-guardian_name').fill('أحمد مثال');
  await page.locator('#s-phone').fill('0151 2345678');
  await page.locator('#s-town').selectOption('05570008');
  await page.locator('#s-language').selectOption('ar');
  await page.locator('#s-interpreter_needed').check();
  await page.locator('#s-child_first_name_1').fill('يوسف');
  await page.locator('#s-child_last_name_1').fill('مثال');
  await page.locator('#s-child_birth_date_1').fill(yearsAgo(8));
  await page.locator('#s-consent').check();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling at 360 px (${overflow} px too wide)`);
  await page.locator('form.registration button[type=submit]').click();
  await page.waitForURL(/gesendet=1/);
  await page.locator('#danke').waitFor();
  await checkAccessibility(page, 'school registration sent');
  await page.screenshot({ path: join(artifacts, 'school-registration-ar-360.png'), fullPage: true });

  // The KI reviews it on a phone too and takes it at the Ahlen site.
  await login(page, 'koordination');
  await page.goto(`${base}/school-counselling?pending=1`);
  await checkAccessibility(page, 'registrations to review');
  await page.locator('tbody a[href^="/school-counselling/"]').first().click();
  await page.getByRole('heading', { name: 'Online-Meldung prüfen' }).waitFor();
  await checkAccessibility(page, 'a registration to review');
  await page.locator('#f-site').selectOption('05570004');
  await page.getByRole('button', { name: 'Meldung annehmen' }).click();
  await page.waitForURL(/ok=school_accepted$/);
  const familyUrl = page.url().split('?')[0];
  await checkAccessibility(page, 'an accepted registration');
  // The KI books the appointment, asking the pool for an Arabic interpreter on the same form.
  const inThreeWeeks = new Date(Date.now() + 21 * 86400000).toISOString().slice(0, 10);
  await page.locator('#f-date').fill(inThreeWeeks);
  await page.locator('#f-start').fill('09:30');
  assert.equal(await page.locator('#f-interpreter').isChecked(), true, 'the family asked for an interpreter');
  assert.equal(await page.locator('#f-interpreter_language').inputValue(), 'ar');
  await page.getByRole('button', { name: 'Termin buchen' }).click();
  await page.waitForURL(/ok=school_booked/);
  assert.match(await page.locator('#termine').innerText(), /Sprachmittlung: /);
  await checkAccessibility(page, 'a booked appointment');
  await page.goto(`${base}/school-counselling/sites`);
  await checkAccessibility(page, 'counselling sites');
  await context.close();

  // The Ahlen counsellor invites the child.
  const second = await newPage(360, 740);
  await login(second.page, 'schulberatung');
  await second.page.goto(familyUrl);
  await checkAccessibility(second.page, 'the family with the counselling form');
  // The counselling, recorded on the family's consent; then the letter to the school authority.
  const form = second.page.locator('form[action$="/record"]').first();
  const today = new Date().toISOString().slice(0, 10);
  await form.locator('input[name="consent_given_on"]').fill(today);
  await form.locator('select[name="german_level"]').selectOption('none');
  await form.locator('select[name="maths_level"]').selectOption('at_level');
  await form.locator('select[name="recommended_form"]').selectOption('primary');
  await form.locator('input[name="recommended_year"]').fill('3');
  await form.getByRole('button', { name: 'Beratung speichern' }).click();
  await second.page.waitForURL(/ok=school_recorded/);
  assert.match(await second.page.locator('main').innerText(), /Stand: beraten/);
  await checkAccessibility(second.page, 'a child counselled');
  await second.page.getByRole('link', { name: 'Übergabeschreiben an die Schulaufsicht' }).click();
  await second.page.getByRole('heading', { name: /Empfehlung zur Schulzuweisung/ }).waitFor();
  assert.match(await second.page.locator('main').innerText(), /Schulamt für den Kreis Warendorf/);
  await checkAccessibility(second.page, 'the hand-off letter');
  await second.page.goto(`${base}/`);
  assert.match(await second.page.locator('#erstberatung').locator('..').innerText(), /يوسف/);
  await checkAccessibility(second.page, 'counsellor start page');
  assert.deepEqual([...problems, ...second.problems].filter((p) => !/\b422\b/.test(p)), [], 'only the refused first try answered 422');
  await second.context.close();
});

test('interpreter pool: a school asks on a phone, is told why a recurring request is refused, then sends a single one – axe clean', async () => {
  const { context, page, problems } = await newPage(360, 740);
  await login(page, 'partner');
  await page.goto(`${base}/interpreters/requests/new`);
  await checkAccessibility(page, 'interpreter request form');
  const inThreeWeeks = new Date(Date.now() + 21 * 86400000).toISOString().slice(0, 10);
  await page.locator('#f-language').selectOption('ar');
  await page.locator('#f-date').fill(inThreeWeeks);
  await page.locator('#f-start').fill('14:00');
  await page.locator('#f-town').selectOption({ index: 1 });
  await page.locator('#f-setting').selectOption('school');
  await page.locator('#f-occasion').selectOption('parent_meeting');
  await page.locator('#f-place').fill('Grundschule Am Park, Raum 3');
  await page.locator('#f-recurring').check();
  await page.getByRole('button', { name: 'Anfrage senden' }).click();
  await page.locator('#refusal').waitFor();
  assert.match(await page.locator('#refusal').innerText(), /wiederkehrend/i);
  await checkAccessibility(page, 'a recurring request refused');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no sideways scrolling at 360 px (${overflow} px too wide)`);
  // What was typed stays; one tick less and it goes through.
  assert.equal(await page.locator('#f-place').inputValue(), 'Grundschule Am Park, Raum 3');
  await page.locator('#f-recurring').uncheck();
  await page.getByRole('button', { name: 'Anfrage senden' }).click();
  await page.waitForURL(/\/interpreters\/requests\/[^/?]+\?ok=request_submitted$/);
  await checkAccessibility(page, 'a request sent');
  assert.deepEqual(problems.filter((p) => !/\b422\b/.test(p)), [], 'only the refused first try answered 422');
  await context.close();
});
