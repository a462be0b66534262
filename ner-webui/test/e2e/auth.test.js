// Browser tests of the API key against a ner-api started with NER_AUTH_API_KEYS, behind nginx: the
// page asks for a key on a 401, retries the request it stopped, sends the key on every /api call
// (the status poll too), keeps it in sessionStorage only, and forgets it on request.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SAMPLES } from '../../src/main/webapp/assets/js/samples.js';
import { assertContrast, assertHighlights, contrastReport, nextApiResponse, openApp, readHighlights } from '../support/page.js';
import { TARGET_DIR, launchChromium, startStack } from '../support/servers.js';

const KEYS = ['k-first', 'k-second'];
const KEY = KEYS[1];
const UNAUTHORIZED = /Failed to load resource: the server responded with a status of 401/;
const READINESS_POLL_MS = 15_000; // main.js

let stack;
let chromium;

before(
  async () => {
    stack = await startStack({ name: 'auth', env: { NER_AUTH_API_KEYS: KEYS.join(',') } });
    chromium = await launchChromium({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  },
  { timeout: 240_000 },
);

after(async () => {
  await chromium?.stop();
  await stack?.stop();
});

/** Every /api request the page sends, with its Authorization header, from before it loads. */
function recordApiCalls(page, calls) {
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/')) calls.push({ path: url.pathname, authorization: request.headers().authorization ?? null });
  });
}

/** Opens the page on the locked server: it must ask for a key, with the focus in the key field. */
async function openLocked(calls = [], beforeLoad = null) {
  const app = await openApp(chromium.context, stack.web.url, {
    ready: false,
    allowed: [UNAUTHORIZED],
    beforeLoad: async (page) => {
      recordApiCalls(page, calls);
      if (beforeLoad) await beforeLoad(page);
    },
  });
  await app.page.waitForSelector('#auth-panel:not([hidden])');
  return app;
}

/** Types `key` in the key field and presses Enter; resolves with the answer to the models call it makes. */
async function enterKey(page, key) {
  const models = nextApiResponse(page, '/api/v1/models', 'GET');
  await page.focus('#api-key');
  await page.keyboard.type(key);
  await page.keyboard.press('Enter');
  return await models;
}

const storedKeys = (page) =>
  page.evaluate(() => ({
    session: sessionStorage.getItem('ner-webui.apiKey'),
    local: Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`),
  }));

describe('API key', () => {
  it('asks for a key on 401, retries the stopped request with it, and sends it on every /api call', async () => {
    const calls = [];
    // A fake clock (it still runs at normal speed) so the test can jump to the next status poll.
    const app = await openLocked(calls, (page) => page.clock.install());
    const { page } = app;
    assert.deepEqual(calls[0], { path: '/api/v1/models', authorization: null });
    assert.equal(await page.textContent('#auth-title [data-i18n]'), '需要 API 密钥');
    assert.match(await page.textContent('#auth-message'), /要求 API 密钥（HTTP 401）/);
    assert.equal(await page.getAttribute('#readiness', 'data-state'), 'locked');
    assert.equal(await page.textContent('#readiness-label'), '需要密钥');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'api-key', 'the focus waits in the key field');
    assert.equal(await page.isHidden('#key-status'), true);
    assertContrast(
      await contrastReport(page, { onPanel: ['#auth-message', '#auth-hint', '.auth-form label', '#readiness-label'] }),
    );

    // A recognition without a key: 401, the text stays, the panel says what to do.
    const text = SAMPLES[0].text;
    await page.fill('#text-input', text);
    const refused = nextApiResponse(page, '/api/v1/ner', 'POST');
    await page.click('#run-btn');
    assert.equal((await refused).status(), 401);
    await page.waitForSelector('#result-card[aria-busy="false"]');
    assert.equal(await page.isHidden('#notice'), true, 'the key panel is the message');
    assert.equal(await page.inputValue('#text-input'), text);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'api-key');
    fs.mkdirSync(path.join(TARGET_DIR, 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(TARGET_DIR, 'screenshots', 'api-key.png'), animations: 'disabled' });

    // A key that cannot go in a header is refused before anything is sent.
    const before = calls.length;
    await page.fill('#api-key', '密钥 key');
    await page.press('#api-key', 'Enter');
    await page.waitForFunction(() => /ASCII/.test(document.getElementById('auth-message').textContent));
    assert.equal(calls.length, before);
    await page.fill('#api-key', '');

    // A wrong key: refused, forgotten, asked for again.
    let models = await enterKey(page, 'not-a-key');
    assert.equal(models.status(), 401);
    assert.equal(models.request().headers().authorization, 'Bearer not-a-key');
    await page.waitForFunction(() => /拒绝/.test(document.getElementById('auth-message').textContent));
    assert.equal((await storedKeys(page)).session, null, 'a refused key is not kept');
    assert.equal(await page.inputValue('#api-key'), '');

    // The right key: the models load, then the stopped recognition runs again by itself.
    const retried = nextApiResponse(page, '/api/v1/ner', 'POST');
    models = await enterKey(page, KEY);
    assert.equal(models.status(), 200);
    const answer = await retried;
    assert.equal(answer.status(), 200);
    assert.equal(answer.request().headers().authorization, `Bearer ${KEY}`);
    assert.equal(answer.request().postDataJSON().text, text);
    const body = await answer.json();
    await page.waitForSelector('#result-card[aria-busy="false"]');
    await page.waitForFunction((n) => document.querySelectorAll('#highlighted mark.ent').length === n, body.entities.length);
    assertHighlights(await readHighlights(page, '#highlighted'), text, body.entities, 'after the key');
    assert.equal(await page.isHidden('#auth-panel'), true);
    assert.equal(await page.getAttribute('#readiness', 'data-state'), 'ready');
    assert.equal(await page.isVisible('#key-status'), true);
    assert.ok((await page.$$('#model-select option')).length >= 1, 'the picker is filled');

    // Kept for this tab only, never in localStorage.
    const stored = await storedKeys(page);
    assert.equal(stored.session, KEY);
    assert.ok(stored.local.every((entry) => !entry.includes(KEY)), stored.local.join(', '));

    // The status poll carries the key too.
    const poll = nextApiResponse(page, '/api/v1/models', 'GET');
    await page.clock.fastForward(READINESS_POLL_MS + 1000);
    const polled = await poll;
    assert.equal(polled.status(), 200);
    assert.equal(polled.request().headers().authorization, `Bearer ${KEY}`);

    // And batch mode.
    await page.click('#tab-batch');
    await page.fill('#batch-input', `${SAMPLES[1].text}\n${SAMPLES[2].text}`);
    const batch = nextApiResponse(page, '/api/v1/ner/batch', 'POST');
    await page.click('#batch-run');
    assert.equal((await batch).status(), 200);
    await page.waitForSelector('#batch-results li');

    const since = calls.findIndex((c) => c.authorization === `Bearer ${KEY}`);
    const withKey = calls.slice(since);
    assert.deepEqual(
      [...new Set(withKey.map((c) => c.path))].sort(),
      ['/api/v1/dictionary', '/api/v1/models', '/api/v1/ner', '/api/v1/ner/batch'],
    );
    assert.ok(withKey.every((c) => c.authorization === `Bearer ${KEY}`), JSON.stringify(withKey));
    await app.expectClean();
  });

  it('keeps the key for the tab: a reload keeps it, a new tab asks again', async () => {
    const app = await openLocked();
    const { page } = app;
    assert.equal((await enterKey(page, KEYS[0])).status(), 200);
    await page.waitForSelector('#readiness[data-state="ready"]');

    const calls = [];
    recordApiCalls(page, calls);
    await page.reload();
    await page.waitForSelector('#readiness[data-state="ready"]');
    assert.equal(await page.isHidden('#auth-panel'), true, 'no question after a reload');
    assert.ok(calls.length > 0 && calls.every((c) => c.authorization === `Bearer ${KEYS[0]}`), JSON.stringify(calls));

    const other = await openLocked();
    assert.equal((await storedKeys(other.page)).session, null, 'another tab has no key');
    await other.expectClean();
    await app.expectClean();
  });

  it('clears the key on request: the next calls go without it and the key is asked for again', async () => {
    const app = await openLocked();
    const { page } = app;
    assert.equal((await enterKey(page, KEY)).status(), 200);
    await page.waitForSelector('#key-status:not([hidden])');

    // English labels while the panel shows, too.
    await page.click('#lang-toggle');
    assert.equal(await page.textContent('#key-clear'), 'Clear key');
    const asked = nextApiResponse(page, '/api/v1/models', 'GET');
    await page.focus('#key-clear');
    await page.keyboard.press('Enter');
    const response = await asked;
    assert.equal(response.request().headers().authorization, undefined, 'the cleared key is not sent');
    assert.equal(response.status(), 401);
    await page.waitForSelector('#auth-panel:not([hidden])');
    assert.equal(await page.textContent('#auth-title [data-i18n]'), 'API key required');
    assert.match(await page.textContent('#auth-message'), /requires an API key/);
    assert.equal(await page.isHidden('#key-status'), true);
    assert.equal((await storedKeys(page)).session, null);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'api-key');
    await page.click('#lang-toggle');
    assert.match(await page.textContent('#auth-message'), /要求 API 密钥/);
    await app.expectClean();
  });
});
