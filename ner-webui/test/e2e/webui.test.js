// End-to-end tests: the real ner-api jar (embedded model), the WebUI's own nginx config in Debian's
// nginx behind an Ingress stand-in, and Debian's Chromium. Expectations come from the API's answers
// as the browser received them; nothing about the model's output is written down here.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CSV_HEADER, parseCsv } from '../../src/main/webapp/assets/js/export.js';
import { SAMPLES } from '../../src/main/webapp/assets/js/samples.js';
import { assertContrast, assertHighlights, contrastReport, cpSlice, openApp, percent, readHighlights, recogniseInPage } from '../support/page.js';
import { TARGET_DIR, launchChromium, startNerApi, startNginx } from '../support/servers.js';

// Small, so that the 413 path costs one short request; every text below is shorter.
const MAX_TEXT_CHARS = 400;
const SCREENSHOT_DIR = path.join(TARGET_DIR, 'screenshots');
const FAILED_LOAD = (status) => new RegExp(`Failed to load resource: the server responded with a status of ${status}`);

// Texts that put Latin words, digits and astral characters (emoji, a CJK Extension B character, a
// ZWJ emoji sequence) before, between and after entities.
const ASTRAL_TEXTS = [
  '😀🎉 北京大学的张伟教授今天访问了上海。𠮷野家 2025 年在深圳开设了 3 家新店，CEO John Smith 出席。👍',
  '他说：“我在华为工作了10年。”🚀🚀🚀 随后李娜前往广州，参观了中山大学。👨‍👩‍👧 全家都很高兴。',
];
const isAstral = (cp) => cp.codePointAt(0) > 0xffff;

let api;
let web;
let chromium;
let model;

before(
  async () => {
    api = await startNerApi({ maxTextChars: MAX_TEXT_CHARS });
    web = await startNginx({ apiUrl: api.url });
    chromium = await launchChromium({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const response = await fetch(`${web.url}/api/v1/model`);
    assert.equal(response.status, 200);
    model = await response.json();
  },
  { timeout: 240_000 },
);

after(async () => {
  await chromium?.stop();
  await web?.stop();
  await api?.stop();
});

describe('WebUI server (nginx)', () => {
  it('answers /healthz with 200 JSON', async () => {
    for (const base of [web.webuiUrl, web.url]) {
      const response = await fetch(`${base}/healthz`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type'), /^application\/json/);
      assert.deepEqual(await response.json(), { status: 'UP' });
    }
  });

  it('sends a strict CSP and the other security headers on pages, assets and errors', async () => {
    const urls = ['/', '/index.html', '/assets/js/main.js', '/assets/css/app.css', '/no-such-file'].flatMap((p) => [
      web.webuiUrl + p,
      web.url + p,
    ]);
    for (const url of urls) {
      const pathname = url;
      const response = await fetch(url);
      const h = (name) => response.headers.get(name) || '';
      const csp = Object.fromEntries(
        h('content-security-policy')
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([name, ...values]) => [name, values]),
      );
      assert.deepEqual(csp['default-src'], ["'self'"], pathname);
      assert.deepEqual(csp['script-src'], ["'self'"], pathname);
      assert.deepEqual(csp['style-src'], ["'self'"], pathname);
      assert.deepEqual(csp['frame-ancestors'], ["'none'"], pathname);
      assert.deepEqual(csp['object-src'], ["'none'"], pathname);
      assert.deepEqual(csp['base-uri'], ["'none'"], pathname);
      assert.doesNotMatch(h('content-security-policy'), /unsafe-|\*|https?:/, pathname);
      assert.equal(h('x-content-type-options'), 'nosniff', pathname);
      assert.equal(h('x-frame-options'), 'DENY', pathname);
      assert.equal(h('referrer-policy'), 'no-referrer', pathname);
      assert.equal(h('cross-origin-opener-policy'), 'same-origin', pathname);
      assert.match(h('permissions-policy'), /camera=\(\)/, pathname);
      if (url.startsWith(web.webuiUrl)) assert.equal(h('server'), 'nginx', `${pathname}: no version in Server`);
      await response.arrayBuffer();
    }
  });

  it('serves the right types and caching: revalidated page and modules, long-lived icons', async () => {
    const page = await fetch(`${web.url}/`);
    assert.match(page.headers.get('content-type'), /^text\/html; charset=utf-8/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const etag = page.headers.get('etag');
    assert.ok(etag, 'index.html has an ETag');
    await page.text();
    const again = await fetch(`${web.url}/`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, 'an unchanged page is answered 304');

    const script = await fetch(`${web.url}/assets/js/main.js`);
    assert.match(script.headers.get('content-type'), /^application\/javascript/);
    assert.equal(script.headers.get('cache-control'), 'no-cache');
    await script.text();

    const icon = await fetch(`${web.url}/assets/favicon.svg`);
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get('content-type'), /^image\/svg\+xml/);
    const maxAge = Number((icon.headers.get('cache-control').match(/max-age=(\d+)/) || [])[1]);
    assert.ok(maxAge >= 86400, `icons are cached at least a day, got ${icon.headers.get('cache-control')}`);
    await icon.text();

    const missing = await fetch(`${web.url}/no-such-file.js`);
    assert.equal(missing.status, 404);
    await missing.text();
  });

  it("answers what it has no page for with the API's JSON error format", async () => {
    const cases = [
      ['GET', '/no-such-file', 404, 'NOT_FOUND'],
      ['POST', '/no-such-file', 404, 'NOT_FOUND'],
      ['POST', '/q/health/ready', 404, 'NOT_FOUND'],
      ['POST', '/index.html', 405, 'METHOD_NOT_ALLOWED'],
    ];
    for (const [method, pathname, status, code] of cases) {
      const response = await fetch(`${web.webuiUrl}${pathname}`, { method, body: method === 'POST' ? '{}' : undefined });
      assert.equal(response.status, status, `${method} ${pathname}`);
      assert.match(response.headers.get('content-type'), /^application\/json/, `${method} ${pathname}`);
      const body = await response.json();
      assert.equal(body.error.code, code, `${method} ${pathname}`);
      assert.equal(typeof body.error.message, 'string');
    }
  });

  it('routes /api to ner-api behind the same origin', async () => {
    assert.equal(typeof model.name, 'string');
    assert.ok(Array.isArray(model.entityTypes) && model.entityTypes.length > 0);
    if (!api.external) assert.equal(model.limits.maxTextChars, MAX_TEXT_CHARS);
  });
});

describe('recognition in the browser', () => {
  it('highlights exactly the API entities in every sample (CJK, Latin, digits, emoji)', async () => {
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    let total = 0;
    for (const sample of SAMPLES) {
      await page.click(`button[data-sample="${sample.id}"]`);
      assert.equal(await page.inputValue('#text-input'), sample.text, 'the sample button loads its text');
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/ner');
      await page.click('#run-btn');
      const body = await (await answered).json();
      await page.waitForSelector('#result-card[aria-busy="false"]');
      assert.ok(body.entities.length > 0, `the model finds entities in the "${sample.id}" sample`);
      total += body.entities.length;
      assertHighlights(await readHighlights(page, '#highlighted'), sample.text, body.entities, sample.id);
      assert.equal(await page.textContent('#entity-total'), String(body.entities.length));
      assert.match(await page.textContent('#latency'), /^\d+ ms$/);
    }
    assert.ok(total >= SAMPLES.length);
    const shownModel = await page.textContent('#model-name');
    assert.ok(shownModel.includes(model.name) && shownModel.includes(model.version), `model shown as ${shownModel}`);
    assert.equal(await page.textContent('#readiness-label'), '就绪');
    await app.expectClean();
  });

  it('keeps highlights exact after astral characters (UTF-16 surrogate pairs)', async () => {
    const app = await openApp(chromium.context, web.url);
    for (const text of ASTRAL_TEXTS) {
      const { status, body } = await recogniseInPage(app.page, text);
      assert.equal(status, 200);
      assert.ok(
        body.entities.some((e) => Array.from(text).slice(0, e.start).some(isAstral)),
        `at least one entity comes after an astral character in ${text}: ${JSON.stringify(body.entities)}`,
      );
      assertHighlights(await readHighlights(app.page, '#highlighted'), text, body.entities, text);
    }
    await app.expectClean();
  });

  it('shows type, offsets and probability in a tooltip on hover and on keyboard focus', async () => {
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    const { body } = await recogniseInPage(page, ASTRAL_TEXTS[0]);
    assert.ok(body.entities.length >= 2);
    const expectTooltip = async (index) => {
      const entity = body.entities[index];
      await page.waitForSelector('#tooltip:not([hidden])');
      const tip = await page.textContent('#tooltip');
      assert.ok(tip.includes(entity.span), tip);
      assert.ok(tip.includes(entity.type), tip);
      assert.ok(tip.includes(`[${entity.start}, ${entity.end})`), tip);
      assert.ok(tip.includes(percent(entity.prob)), `${tip} shows ${percent(entity.prob)}`);
      assert.equal(await page.getAttribute(`#ent-${index}`, 'aria-describedby'), 'tooltip');
    };
    await page.hover('#ent-0');
    await expectTooltip(0);
    await page.mouse.move(0, 0);
    await page.waitForSelector('#tooltip', { state: 'hidden' });
    const last = body.entities.length - 1;
    await page.focus(`#ent-${last}`);
    await expectTooltip(last);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#tooltip', { state: 'hidden' });
    await app.expectClean();
  });

  it('sorts and filters the entity table, with a count per type', async () => {
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    const text = SAMPLES.map((s) => s.text).join('\n');
    assert.ok(Array.from(text).length <= MAX_TEXT_CHARS);
    const { body } = await recogniseInPage(page, text);
    const entities = body.entities;
    const rowIndexes = () => page.$$eval('#entity-rows tr', (rows) => rows.map((r) => Number(r.dataset.index)));

    // Default: text order; the cells say what the API said (this server has no user dictionary).
    assert.deepEqual(await rowIndexes(), entities.map((_, i) => i).sort((a, b) => entities[a].start - entities[b].start));
    assert.ok(entities.every((e) => e.source === 'model'));
    const cells = await page.$$eval('#entity-rows tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    for (const [k, row] of cells.entries()) {
      const e = entities[(await rowIndexes())[k]];
      assert.deepEqual(row, [e.type, e.span, String(e.start), String(e.end), percent(e.prob), '模型']);
    }

    // Counts per type, zero counts included, in the filter and the legend.
    const types = [...new Set([...model.entityTypes, ...entities.map((e) => e.type)])];
    const count = (type) => entities.filter((e) => e.type === type).length;
    assert.equal(await page.textContent('#type-filter button[data-filter=""] .count'), String(entities.length));
    for (const type of types) {
      assert.equal(await page.textContent(`#type-filter button[data-filter="${type}"] .count`), String(count(type)), type);
      assert.equal(await page.textContent(`#legend li[data-type="${type}"] .count`), String(count(type)), type);
    }
    assert.ok(types.filter((type) => count(type) > 0).length >= 2, 'the joined samples hold at least two types');

    for (const type of types) {
      await page.click(`#type-filter button[data-filter="${type}"]`);
      assert.equal(await page.getAttribute(`#type-filter button[data-filter="${type}"]`, 'aria-pressed'), 'true');
      const shown = await rowIndexes();
      assert.equal(shown.length, count(type), type);
      assert.ok(shown.every((i) => entities[i].type === type), type);
      const empty = await page.isVisible('#table-empty');
      assert.equal(empty, count(type) === 0, `the empty note shows only for a type without entities (${type})`);
    }
    await page.click('#type-filter button[data-filter=""]');
    assert.equal((await rowIndexes()).length, entities.length);

    const sortBy = async (key, direction) => {
      await page.click(`#entity-table th[data-key="${key}"] button`);
      assert.equal(await page.getAttribute(`#entity-table th[data-key="${key}"]`, 'aria-sort'), direction);
      const values = (await rowIndexes()).map((i) => entities[i][key]);
      const sorted = [...values].sort((a, b) => (typeof a === 'number' ? a - b : a < b ? -1 : a > b ? 1 : 0));
      if (direction === 'descending') sorted.reverse();
      assert.deepEqual(values, sorted, `${key} ${direction}`);
    };
    await sortBy('prob', 'ascending');
    await sortBy('prob', 'descending');
    await sortBy('end', 'ascending');
    await sortBy('type', 'ascending');
    await sortBy('type', 'descending');
    assert.equal(await page.getAttribute('#entity-table th[data-key="prob"]', 'aria-sort'), 'none');
    await app.expectClean();
  });

  it('scrolls to and flashes the highlight of a clicked row', async () => {
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    const text = SAMPLES[0].text + '\n'.repeat(60) + SAMPLES[1].text;
    const { body } = await recogniseInPage(page, text);
    const lastIndex = body.entities.reduce((best, e, i) => (e.start > body.entities[best].start ? i : best), 0);
    assert.ok(body.entities[lastIndex].start > Array.from(SAMPLES[0].text).length, 'an entity in the second sample');
    const visible = (index) =>
      page.$eval(`#ent-${index}`, (mark) => {
        const box = mark.getBoundingClientRect();
        const view = mark.closest('.highlighted').getBoundingClientRect();
        return box.top >= view.top && box.bottom <= view.bottom;
      });
    assert.equal(await visible(lastIndex), false, 'the last entity starts out of view');
    await page.click(`#entity-rows tr[data-index="${lastIndex}"] td.span`);
    await page.waitForFunction((i) => {
      const mark = document.getElementById(`ent-${i}`);
      const box = mark.getBoundingClientRect();
      const view = mark.closest('.highlighted').getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    }, lastIndex);
    assert.equal(await page.evaluate(() => document.activeElement.id), `ent-${lastIndex}`);
    assert.ok(await page.$eval(`#ent-${lastIndex}`, (m) => m.classList.contains('flash')));
    assert.equal(await page.$eval(`#ent-${lastIndex}`, (m) => getComputedStyle(m).animationName), 'flash');

    // Keyboard: Enter on a focused row does the same.
    await page.focus(`#entity-rows tr[data-index="0"]`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement.id === 'ent-0');
    await app.expectClean();
  });

  it('respects prefers-reduced-motion', async () => {
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const { body } = await recogniseInPage(page, SAMPLES[0].text);
    await page.click('#entity-rows tr[data-index="0"]');
    await page.waitForSelector('#ent-0.flash');
    assert.equal(await page.$eval('#ent-0', (m) => getComputedStyle(m).animationName), 'none', 'no flash animation');
    assert.notEqual(await page.$eval('#ent-0', (m) => getComputedStyle(m).outlineStyle), 'none', 'a still outline instead');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body, '::before').animationName), 'none', 'no sweep');
    assert.ok(body.entities.length > 0);
    await page.emulateMedia({ reducedMotion: 'no-preference' });
    assert.equal(await page.evaluate(() => getComputedStyle(document.body, '::before').animationName), 'sweep');
    await app.expectClean();
  });

  it('runs recognition with Ctrl+Enter and Cmd+Enter', async () => {
    const app = await openApp(chromium.context, web.url);
    for (const [shortcut, text] of [['Control+Enter', SAMPLES[1].text], ['Meta+Enter', SAMPLES[3].text]]) {
      const { status, body } = await recogniseInPage(app.page, text, { shortcut });
      assert.equal(status, 200, shortcut);
      assertHighlights(await readHighlights(app.page, '#highlighted'), text, body.entities, shortcut);
    }
    await app.expectClean();
  });

  it('copies the JSON response to the clipboard', async () => {
    await chromium.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url });
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    const { body } = await recogniseInPage(page, SAMPLES[2].text);
    await page.click('#copy-json');
    await page.waitForFunction(() => document.getElementById('copy-status').textContent !== '');
    assert.equal(await page.textContent('#copy-status'), '已复制');
    assert.deepEqual(JSON.parse(await page.evaluate(() => navigator.clipboard.readText())), body);
    assert.deepEqual(JSON.parse(await page.textContent('#raw-json-text')), body);
    await app.expectClean();
  });

  it('switches the labels between Chinese and English', async () => {
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.textContent('#run-btn [data-i18n]'), '识别');
    await page.click('#lang-toggle');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.textContent('#run-btn [data-i18n]'), 'Recognize');
    assert.equal(await page.textContent('#tab-batch'), 'Batch');
    assert.equal(await page.getAttribute('#text-input', 'placeholder'), 'Paste or type Chinese text here…');
    await page.reload();
    await page.waitForSelector('html[data-app="ready"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');
    await page.click('#lang-toggle');
    assert.equal(await page.textContent('#run-btn [data-i18n]'), '识别');
    await app.expectClean();
  });
});

describe('one-process local run', () => {
  it('ner-api itself serves the same page at / and it works there', async (t) => {
    if (api.external) return t.skip('NER_API_URL points at a server this test did not start');
    const app = await openApp(chromium.context, api.url);
    const { status, body } = await recogniseInPage(app.page, SAMPLES[0].text);
    assert.equal(status, 200);
    assertHighlights(await readHighlights(app.page, '#highlighted'), SAMPLES[0].text, body.entities, 'served by ner-api');
    await app.expectClean();
  });
});

describe('batch mode', () => {
  it('round-trips a .txt file through the batch endpoint, in chunks, and downloads JSON and CSV', async () => {
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    const maxBatch = model.limits.maxBatchTexts;
    const base = [...SAMPLES.map((s) => s.text), ...ASTRAL_TEXTS];
    // More lines than one request may carry, with blank lines that must be skipped but counted.
    const lines = [];
    for (let i = 0; lines.filter((l) => l).length < maxBatch + 3; i++) lines.push(i % 7 === 3 ? '' : base[i % base.length]);
    const file = lines.join('\n') + '\n';
    await page.click('#tab-batch');
    await page.setInputFiles('#batch-file', { name: 'news.txt', mimeType: 'text/plain', buffer: Buffer.from(file, 'utf8') });
    await page.waitForFunction((n) => document.getElementById('batch-input').value.length === n, file.length);
    assert.equal(await page.inputValue('#batch-input'), file);

    const requests = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/ner/batch') requests.push(r);
    });
    await page.click('#batch-run');
    await page.waitForSelector('#batch-results li');
    await page.waitForSelector('#batch-results-card[aria-busy="false"]');
    assert.ok(requests.length >= 2, `${lines.length} lines need more than one request of at most ${maxBatch}`);
    const expected = [];
    const numbered = lines.map((text, i) => ({ line: i + 1, text })).filter((l) => l.text);
    let answer = null;
    for (const response of requests) {
      assert.equal(response.status(), 200);
      const { texts: sent, ...options } = response.request().postDataJSON();
      assert.deepEqual(options, { model: model.name }, 'untouched settings send the picked model only');
      assert.ok(sent.length <= maxBatch);
      const body = await response.json();
      answer = { model: body.model, modelVersion: body.modelVersion, options };
      assert.equal(body.results.length, sent.length);
      body.results.forEach((result, k) => {
        const entry = numbered[expected.length];
        assert.equal(sent[k], entry.text, 'texts are sent in file order');
        expected.push({ line: entry.line, text: entry.text, entities: result.entities });
      });
    }
    assert.equal(expected.length, numbered.length);
    assert.ok(expected.some((r) => r.entities.length > 0));

    const items = await page.$$eval('#batch-results li', (lis) => lis.map((li) => Number(li.dataset.line)));
    assert.deepEqual(items, expected.map((r) => r.line));
    for (const record of expected) {
      const shown = await readHighlights(page, `#batch-results li[data-line="${record.line}"] .highlighted`);
      assertHighlights(shown, record.text, record.entities, `line ${record.line}`);
    }

    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#batch-json')]);
    assert.equal(jsonDownload.suggestedFilename(), 'ner-batch-results.json');
    const json = JSON.parse(fs.readFileSync(await jsonDownload.path(), 'utf8'));
    assert.deepEqual(json, { ...answer, results: expected });

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#batch-csv')]);
    assert.equal(csvDownload.suggestedFilename(), 'ner-batch-results.csv');
    const rows = parseCsv(fs.readFileSync(await csvDownload.path(), 'utf8'));
    assert.deepEqual(rows[0], CSV_HEADER);
    const expectedRows = expected.flatMap((r) =>
      r.entities.map((e) => [String(r.line), e.type, String(e.start), String(e.end), e.span, String(e.prob), e.source]),
    );
    assert.deepEqual(rows.slice(1), expectedRows);
    await app.expectClean();
  });
});

describe('errors', () => {
  it('shows 413 for a too-long text, keeps the text and the previous result', async () => {
    const app = await openApp(chromium.context, web.url, { allowed: [FAILED_LOAD(413)] });
    const { page } = app;
    const first = await recogniseInPage(page, SAMPLES[0].text);
    assert.ok(first.body.entities.length > 0);
    const limit = model.limits.maxTextChars;
    const long = '上海'.repeat(Math.ceil((limit + 1) / 2));
    const { status, body } = await recogniseInPage(page, long);
    assert.equal(status, 413);
    assert.equal(body.error.code, 'TEXT_TOO_LONG');
    await page.waitForSelector('#notice:not([hidden])');
    assert.equal(await page.textContent('#notice-title'), '输入过长');
    const message = await page.textContent('#notice-text');
    assert.ok(message.includes(String(limit)) && message.includes(String(Array.from(long).length)), message);
    assert.match(await page.textContent('#notice-detail'), /413 TEXT_TOO_LONG/);
    assert.equal(await page.inputValue('#text-input'), long, 'the text box keeps the text');
    assert.ok(await page.$eval('#char-count', (el) => el.classList.contains('over')));
    assert.equal(await page.isEnabled('#run-btn'), true, 'nothing stays frozen');
    assertHighlights(await readHighlights(page, '#highlighted'), SAMPLES[0].text, first.body.entities, 'previous result');

    // A batch with one line over the limit names that line.
    await page.click('#tab-batch');
    await page.fill('#batch-input', `${SAMPLES[1].text}\n${long}`);
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/ner/batch');
    await page.click('#batch-run');
    assert.equal((await answered).status(), 413);
    await page.waitForFunction(() => /2/.test(document.getElementById('notice-text').textContent));
    assert.ok((await page.textContent('#notice-text')).includes('第 2 行'));
    assert.equal(await page.inputValue('#batch-input'), `${SAMPLES[1].text}\n${long}`);

    // The message goes away after the next success.
    await page.click('#tab-single');
    await recogniseInPage(page, SAMPLES[1].text);
    await page.waitForSelector('#notice', { state: 'hidden' });
    await app.expectClean();
  });

  it('shows 503 (overloaded, not ready) and an unreachable backend, then recovers', async () => {
    const app = await openApp(chromium.context, web.url, { allowed: [FAILED_LOAD(503), /net::ERR_CONNECTION_REFUSED/] });
    const { page } = app;
    const text = SAMPLES[2].text;
    const refuse = (code, retryAfter) => (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        headers: { 'Retry-After': String(retryAfter) },
        body: JSON.stringify({ error: { code, message: `test: ${code}` } }),
      });
    const isNer = (url) => url.pathname === '/api/v1/ner';

    await page.route(isNer, refuse('OVERLOADED', 7), { times: 1 });
    let answer = await recogniseInPage(page, text);
    assert.equal(answer.status, 503);
    await page.waitForSelector('#notice:not([hidden])');
    assert.equal(await page.textContent('#notice-title'), '服务繁忙');
    assert.ok((await page.textContent('#notice-text')).includes('7 秒'));
    assert.equal(await page.inputValue('#text-input'), text);
    assert.equal(await page.isEnabled('#run-btn'), true);

    await page.route(isNer, refuse('NOT_READY', 3), { times: 1 });
    answer = await recogniseInPage(page, text);
    assert.equal(answer.status, 503);
    await page.waitForFunction(() => document.getElementById('notice-title').textContent === '服务尚未就绪');
    assert.equal(await page.getAttribute('#readiness', 'data-state'), 'not-ready');

    await page.route(isNer, (route) => route.abort('connectionrefused'), { times: 1 });
    await page.fill('#text-input', text);
    await page.click('#run-btn');
    await page.waitForFunction(() => document.getElementById('notice-title').textContent === '无法连接后端');
    await page.waitForSelector('#result-card[aria-busy="false"]');
    assert.equal(await page.getAttribute('#readiness', 'data-state'), 'offline');
    assert.equal(await page.inputValue('#text-input'), text);

    answer = await recogniseInPage(page, text);
    assert.equal(answer.status, 200, 'the real backend answers again');
    await page.waitForSelector('#notice', { state: 'hidden' });
    assert.equal(await page.getAttribute('#readiness', 'data-state'), 'ready');
    assertHighlights(await readHighlights(page, '#highlighted'), text, answer.body.entities, 'after recovery');
    await app.expectClean();
  });
});

describe('look and layout', () => {
  it('meets WCAG AA contrast for highlights and labels', async () => {
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    const { body } = await recogniseInPage(page, SAMPLES.map((s) => s.text).join('\n'));
    assert.ok(body.entities.length > 0);
    // A type switched off, so its struck-through chip is measured too (no request follows).
    await page.click('#request-types button[data-type="LOC"]');
    const report = await contrastReport(page, {
      composited: ['#highlighted mark.ent', '#run-btn', '#model-select'],
      tagsOnPanel: ['#entity-rows .type-tag'],
      // Muted labels sit on the cards' gradient: checked against its lightest stop.
      onPanel: [
        '.meta-key',
        '.legend-name',
        '.samples-label',
        '.char-count',
        '.tab[aria-selected="false"]',
        '.entity-table th button',
        '.footer',
        '.settings .field-label',
        '#min-prob-value',
        '#request-types button[aria-pressed="false"]',
        '#entity-rows .source-tag',
      ],
    });
    assert.ok(report.length > 15);
    assertContrast(report);
    await app.expectClean();
  });

  it('fits phone, tablet and desktop widths without sideways scrolling', async () => {
    const app = await openApp(chromium.context, web.url);
    const { page } = app;
    await recogniseInPage(page, SAMPLES[2].text);
    for (const width of [360, 768, 1024, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      const { overflow, sideBySide } = await page.evaluate(() => {
        const input = document.querySelector('.input-card').getBoundingClientRect();
        const result = document.querySelector('.result-card').getBoundingClientRect();
        return { overflow: document.documentElement.scrollWidth - window.innerWidth, sideBySide: Math.abs(input.top - result.top) < 1 };
      });
      assert.ok(overflow <= 0, `${width}px: ${overflow}px sideways overflow`);
      assert.equal(sideBySide, width >= 960, `${width}px: input and result side by side only on wide screens`);
      if (width === 360) {
        fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'phone.png'), fullPage: true, animations: 'disabled' });
      }
    }
    await app.expectClean();
  });
});
