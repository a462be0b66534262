// Browser tests of the recognition settings against a ner-api that serves several models and a
// user dictionary: the embedded model(s), ner-api's lookup test bundle (known answers: every 京
// LOC, 李明 PER, 甲乙 ORG) and a copy of it whose ORG is called GPE (other entity types), plus a
// dictionary that forces 腾讯公司 (ORG) and 长江 (LOC) and suppresses 京. Real Chromium, real nginx.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { orderTypes } from '../../src/main/webapp/assets/js/options.js';
import { SAMPLES } from '../../src/main/webapp/assets/js/samples.js';
import { awaitDictionary, LOOKUP_BUNDLE, LOOKUP_MODEL, relabelledLookupBundle, writeDictionary } from '../support/fixtures.js';
import {
  assertContrast,
  assertHighlights,
  contrastReport,
  nextApiResponse,
  openApp,
  readHighlights,
  recogniseInPage,
} from '../support/page.js';
import { MODULE_DIR, TARGET_DIR, launchChromium, startStack } from '../support/servers.js';

const GPE_MODEL = 'lookup-gpe';
const DICTIONARY = [
  ['腾讯公司', 'ORG'],
  ['长江', 'LOC'],
  ['京', '-'],
];
// The lookup models: 李明 PER and 甲乙 ORG/GPE from the model, 长江 LOC from the dictionary, 京 (a
// model LOC) suppressed by it.
const LOOKUP_TEXT = '李明在长江边见了甲乙，又去了京。';
const FAILED_LOAD = (status) => new RegExp(`Failed to load resource: the server responded with a status of ${status}`);
const SCREENSHOT_DIR = path.join(TARGET_DIR, 'screenshots');
const README_SCREENSHOT = path.resolve(MODULE_DIR, '..', 'docs', 'images', 'webui.png');

let stack;
let chromium;
let list; // GET /api/v1/models
let fixtures;

before(
  async () => {
    fixtures = fs.mkdtempSync(path.join(os.tmpdir(), 'ner-webui-models-'));
    const gpe = relabelledLookupBundle(fixtures, { name: GPE_MODEL, from: 'ORG', to: 'GPE' });
    const dictionary = writeDictionary(path.join(fixtures, 'dictionary.tsv'), DICTIONARY);
    stack = await startStack({
      name: 'models',
      env: { NER_MODELS_DIRECTORIES: `${LOOKUP_BUNDLE},${gpe}`, NER_DICTIONARY_PATH: dictionary },
    });
    await awaitDictionary(stack.web.url, DICTIONARY.length);
    chromium = await launchChromium({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    list = await (await fetch(`${stack.web.url}/api/v1/models`)).json();
  },
  { timeout: 240_000 },
);

after(async () => {
  await chromium?.stop();
  await stack?.stop();
  if (fixtures) fs.rmSync(fixtures, { recursive: true, force: true });
});

const info = (name) => list.models.find((m) => m.name === name);

/** Opens the page and picks `model` in the picker (the keyboard is tested on its own). */
async function openWithModel(model, options) {
  const app = await openApp(chromium.context, stack.web.url, options);
  const { page } = app;
  await page.selectOption('#model-select', model);
  assert.equal(await page.inputValue('#model-select'), model);
  return app;
}

/** Moves the slider with the keyboard to `hundredths` / 100 and returns the value it shows. */
async function slideTo(page, hundredths) {
  await page.focus('#min-prob');
  await page.keyboard.press('Home');
  for (let i = 0; i < hundredths; i++) await page.keyboard.press('ArrowRight');
  return Number(await page.inputValue('#min-prob'));
}

const forgetModel = (page) => page.evaluate(() => localStorage.removeItem('ner-webui.model'));

describe('model picker', () => {
  it('lists every served model with its version, marks the default and starts on it', async () => {
    assert.ok(list.models.length >= 3, 'the embedded model(s) and two lookup bundles');
    const app = await openApp(chromium.context, stack.web.url);
    const { page } = app;
    const options = await page.$$eval('#model-select option', (all) =>
      all.map((o) => ({ value: o.value, text: o.textContent, isDefault: o.dataset.default === 'true' })),
    );
    assert.deepEqual(
      options.map((o) => o.value),
      list.models.map((m) => m.name),
      'one option per served model, in the server order',
    );
    for (const [i, option] of options.entries()) {
      const model = list.models[i];
      assert.ok(option.text.startsWith(`${model.name} v${model.version}`), option.text);
      assert.equal(option.isDefault, model.name === list.default, option.text);
      assert.equal(option.text.includes('默认'), model.name === list.default, option.text);
    }
    assert.equal(await page.inputValue('#model-select'), list.default, 'the default is picked first');
    const defaultInfo = info(list.default);
    assert.equal(await page.textContent('#model-name'), `${defaultInfo.name} v${defaultInfo.version}`);
    assert.equal(await page.getAttribute('#model-select', 'title'), defaultInfo.description);

    // Keyboard: the next model with the arrow key; the chips and the status bar follow it.
    await page.focus('#model-select');
    await page.keyboard.press(list.default === list.models.at(-1).name ? 'ArrowUp' : 'ArrowDown');
    const picked = await page.inputValue('#model-select');
    assert.notEqual(picked, list.default);
    assert.equal(await page.textContent('#model-name'), `${info(picked).name} v${info(picked).version}`);
    assert.equal(await page.evaluate(() => localStorage.getItem('ner-webui.model')), picked);
    await forgetModel(page);
    await app.expectClean();
  });

  it('sends the picked model, shows the model that answered and remembers the pick', async () => {
    const app = await openWithModel(LOOKUP_MODEL);
    const { page } = app;
    const text = '李明在上海见了甲乙。';
    let { status, body, sent } = await recogniseInPage(page, text);
    assert.equal(status, 200);
    assert.deepEqual(sent, { text, model: LOOKUP_MODEL }, 'only the model is added to the text');
    assert.equal(body.model, LOOKUP_MODEL);
    assert.deepEqual(
      body.entities.map((e) => [e.type, e.span]),
      [
        ['PER', '李明'],
        ['ORG', '甲乙'],
      ],
    );
    assertHighlights(await readHighlights(page, '#highlighted'), text, body.entities, LOOKUP_MODEL);
    assert.equal(await page.textContent('#model-name'), `${LOOKUP_MODEL} v${body.modelVersion}`, 'the status bar names the model that answered');
    assert.equal(await page.evaluate(() => localStorage.getItem('ner-webui.model')), LOOKUP_MODEL);

    await page.reload();
    await page.waitForSelector('#readiness[data-state="ready"]');
    assert.equal(await page.inputValue('#model-select'), LOOKUP_MODEL, 'the pick survives a reload');
    ({ sent } = await recogniseInPage(page, text));
    assert.equal(sent.model, LOOKUP_MODEL);

    // A remembered model the server no longer serves: back to the default.
    await page.evaluate(() => localStorage.setItem('ner-webui.model', 'no-longer-served'));
    await page.reload();
    await page.waitForSelector('#readiness[data-state="ready"]');
    assert.equal(await page.inputValue('#model-select'), list.default);
    await forgetModel(page);
    await app.expectClean();
  });

  it('says when the picked model is gone and reloads the list, keeping the text', async () => {
    const app = await openApp(chromium.context, stack.web.url, { allowed: [FAILED_LOAD(400)] });
    const { page } = app;
    // The server can not drop a model mid-test: its answer to a request for one it no longer has.
    await page.route(
      (url) => url.pathname === '/api/v1/ner',
      (route) =>
        route.fulfill({
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'UNKNOWN_MODEL', message: "no model named 'x'; served: [...]" } }),
        }),
      { times: 1 },
    );
    const reloaded = nextApiResponse(page, '/api/v1/models', 'GET');
    const { status } = await recogniseInPage(page, SAMPLES[0].text);
    assert.equal(status, 400);
    await page.waitForSelector('#notice:not([hidden])');
    assert.equal(await page.textContent('#notice-title'), '模型不可用');
    assert.match(await page.textContent('#notice-detail'), /400 UNKNOWN_MODEL/);
    assert.equal((await reloaded).status(), 200, 'the model list is asked for again');
    assert.equal(await page.inputValue('#text-input'), SAMPLES[0].text);
    await app.expectClean();
  });
});

describe('type chips and minimum probability', () => {
  it("shows a chip per type of the picked model and sends only the types switched on", async () => {
    const app = await openApp(chromium.context, stack.web.url);
    const { page } = app;
    const chips = () =>
      page.$$eval('#request-types button', (all) => all.map((b) => [b.dataset.type, b.getAttribute('aria-pressed')]));
    assert.deepEqual(await chips(), orderTypes(info(list.default).entityTypes).map((t) => [t, 'true']));

    await page.selectOption('#model-select', GPE_MODEL);
    assert.deepEqual(info(GPE_MODEL).entityTypes, ['GPE', 'LOC', 'PER']);
    assert.deepEqual(await chips(), [
      ['PER', 'true'],
      ['LOC', 'true'],
      ['GPE', 'true'],
    ], 'the chips follow the picked model');

    // All on: no `types` in the request.
    let { body, sent } = await recogniseInPage(page, LOOKUP_TEXT);
    assert.equal('types' in sent, false);
    assert.deepEqual(body.entities.map((e) => e.type), ['PER', 'LOC', 'GPE']);

    // Keyboard: LOC off with Space.
    await page.focus('#request-types button[data-type="LOC"]');
    await page.keyboard.press('Space');
    assert.equal(await page.getAttribute('#request-types button[data-type="LOC"]', 'aria-pressed'), 'false');
    ({ body, sent } = await recogniseInPage(page, LOOKUP_TEXT));
    assert.deepEqual(sent.types, ['PER', 'GPE']);
    assert.deepEqual(body.entities.map((e) => [e.type, e.span]), [
      ['PER', '李明'],
      ['GPE', '甲乙'],
    ]);
    assertHighlights(await readHighlights(page, '#highlighted'), LOOKUP_TEXT, body.entities, 'LOC off');

    // Every type off: nothing is sent, the page says why.
    let sentRequests = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/ner') sentRequests++;
    });
    await page.click('#request-types button[data-type="PER"]');
    await page.click('#request-types button[data-type="GPE"]');
    await page.click('#run-btn');
    await page.waitForSelector('#notice:not([hidden])');
    assert.equal(await page.textContent('#notice-title'), '未选择实体类型');
    assert.equal(sentRequests, 0);

    for (const type of ['PER', 'LOC', 'GPE']) await page.click(`#request-types button[data-type="${type}"]`);
    ({ sent } = await recogniseInPage(page, LOOKUP_TEXT));
    assert.equal('types' in sent, false, 'all on again: no types');
    await page.waitForSelector('#notice', { state: 'hidden' });
    await forgetModel(page);
    await app.expectClean();
  });

  it('sends minProb from the slider only when above 0, and shows its value', async () => {
    const app = await openApp(chromium.context, stack.web.url);
    const { page } = app;
    const text = SAMPLES.map((s) => s.text).join('\n');
    assert.equal(await page.textContent('#min-prob-value'), '不限');
    const all = await recogniseInPage(page, text);
    assert.equal('minProb' in all.sent, false, 'at 0 no minProb is sent');

    // A threshold on the slider's 0.01 grid between two of the probabilities the model gave.
    const probs = [...new Set(all.body.entities.map((e) => e.prob))].sort((a, b) => a - b);
    const cuts = probs
      .slice(1)
      .map((high, i) => Math.floor(probs[i] * 100) + 1)
      .filter((h, i) => h / 100 <= probs[i + 1] && h < 100);
    assert.ok(cuts.length > 0, `a 0.01 step between two probabilities in ${probs}`);
    const hundredths = cuts[Math.floor(cuts.length / 2)];
    const threshold = await slideTo(page, hundredths);
    assert.equal(threshold, hundredths / 100);
    assert.equal(await page.textContent('#min-prob-value'), `≥ ${hundredths}%`);
    assert.equal(await page.getAttribute('#min-prob', 'aria-valuetext'), `≥ ${hundredths}%`);

    const filtered = await recogniseInPage(page, text);
    assert.equal(filtered.sent.minProb, threshold);
    const kept = all.body.entities.filter((e) => e.prob >= threshold);
    assert.ok(kept.length > 0 && kept.length < all.body.entities.length, 'the threshold keeps some, not all');
    assert.deepEqual(filtered.body.entities, kept, 'the answer is the unfiltered one above the threshold');
    assertHighlights(await readHighlights(page, '#highlighted'), text, kept, `minProb ${threshold}`);
    assert.equal(await page.textContent('#entity-total'), String(kept.length));

    await page.focus('#min-prob');
    await page.keyboard.press('Home');
    assert.equal(await page.textContent('#min-prob-value'), '不限');
    const again = await recogniseInPage(page, text);
    assert.equal('minProb' in again.sent, false, 'back at 0: no minProb');
    assert.deepEqual(again.body.entities, all.body.entities);
    await app.expectClean();
  });

  it('sends the same model, types and minProb in batch mode', async () => {
    const app = await openWithModel(GPE_MODEL);
    const { page } = app;
    await page.click('#request-types button[data-type="LOC"]');
    const threshold = await slideTo(page, 50);
    const lines = [LOOKUP_TEXT, '甲乙在长江边。', '李明。'];
    await page.click('#tab-batch');
    await page.fill('#batch-input', lines.join('\n'));
    const answered = nextApiResponse(page, '/api/v1/ner/batch', 'POST');
    await page.click('#batch-run');
    const response = await answered;
    await page.waitForSelector('#batch-results-card[aria-busy="false"]');
    const { texts, ...options } = response.request().postDataJSON();
    assert.deepEqual(texts, lines);
    assert.deepEqual(options, { model: GPE_MODEL, types: ['PER', 'GPE'], minProb: threshold });
    const body = await response.json();
    assert.equal(body.model, GPE_MODEL);
    assert.deepEqual(
      body.results.map((r) => r.entities.map((e) => e.span)),
      [['李明', '甲乙'], ['甲乙'], ['李明']],
    );
    for (const [i, result] of body.results.entries()) {
      assertHighlights(await readHighlights(page, `#batch-results li[data-line="${i + 1}"] .highlighted`), lines[i], result.entities, `line ${i + 1}`);
    }
    assert.equal(await page.textContent('#model-name'), `${GPE_MODEL} v${body.modelVersion}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#batch-json')]);
    const json = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.deepEqual([json.model, json.modelVersion, json.options], [GPE_MODEL, body.modelVersion, options]);
    await forgetModel(page);
    await app.expectClean();
  });
});

describe('user dictionary', () => {
  it('marks dictionary entities apart from the model ones: look, tag, legend, tooltip, table', async () => {
    const app = await openWithModel(LOOKUP_MODEL);
    const { page } = app;
    const { body } = await recogniseInPage(page, LOOKUP_TEXT);
    assert.deepEqual(
      body.entities.map((e) => [e.span, e.source]),
      [
        ['李明', 'model'],
        ['长江', 'dictionary'],
        ['甲乙', 'model'],
      ],
      '京 is suppressed, 长江 forced',
    );
    assertHighlights(await readHighlights(page, '#highlighted'), LOOKUP_TEXT, body.entities, 'dictionary');
    const marks = await page.$$eval('#highlighted mark.ent', (all) =>
      all.map((m) => ({
        index: Number(m.dataset.index),
        source: m.dataset.source,
        tag: getComputedStyle(m, '::after').content,
        hatch: getComputedStyle(m).backgroundImage,
        frame: getComputedStyle(m).boxShadow,
        underline: getComputedStyle(m).borderBottomStyle,
        label: m.getAttribute('aria-label'),
      })),
    );
    for (const mark of marks) {
      const entity = body.entities[mark.index];
      assert.equal(mark.source, entity.source, entity.span);
      if (entity.source === 'dictionary') {
        assert.equal(mark.tag, `"${entity.type}·词典"`, 'the tag says it, not colour alone');
        assert.match(mark.hatch, /repeating-linear-gradient/, 'a hatched fill');
        assert.match(mark.frame, /0px 0px 0px 1px inset/, 'a full frame');
        assert.equal(mark.underline, 'none', "instead of the type's underline (LOC: dashed)");
        assert.match(mark.label, /用户词典/, 'screen readers hear it');
      } else {
        assert.equal(mark.tag, `"${entity.type}"`);
        assert.equal(mark.hatch, 'none');
        assert.doesNotMatch(mark.frame, /0px 0px 0px 1px inset/);
        assert.doesNotMatch(mark.label, /词典/);
      }
    }

    // Legend: one entry for dictionary entities, with their count.
    assert.equal(await page.textContent('#legend li[data-source="dictionary"] .legend-name'), '词典实体');
    assert.equal(await page.textContent('#legend li[data-source="dictionary"] .count'), '1');

    // Tooltip and table say the source.
    const dictionaryIndex = body.entities.findIndex((e) => e.source === 'dictionary');
    await page.focus(`#ent-${dictionaryIndex}`);
    await page.waitForSelector('#tooltip:not([hidden])');
    assert.match(await page.textContent('#tooltip'), /来源用户词典/);
    assert.match(await page.textContent('#tooltip'), /概率100\.0%/);
    await page.focus('#ent-0');
    await page.waitForFunction(() => document.getElementById('tooltip').textContent.includes('李明'));
    assert.match(await page.textContent('#tooltip'), /来源模型/);
    await page.keyboard.press('Escape');
    const sources = await page.$$eval('#entity-rows tr', (rows) => rows.map((r) => [Number(r.dataset.index), r.cells[5].textContent]));
    assert.deepEqual(
      sources,
      body.entities.map((e, i) => [i, e.source === 'dictionary' ? '用户词典' : '模型']),
    );
    await page.click('#entity-table th[data-key="source"] button');
    assert.deepEqual(
      await page.$$eval('#entity-rows tr', (rows) => rows.map((r) => r.dataset.source)),
      ['dictionary', 'model', 'model'],
      'sortable by source',
    );

    assertContrast(
      await contrastReport(page, {
        composited: ['#highlighted mark.ent'],
        tagsOnPanel: ['#entity-rows .source-tag[data-source="dictionary"]'],
        onPanel: ['#dictionary-note', '#entity-rows .source-tag[data-source="model"]'],
      }),
    );

    await page.click('#lang-toggle');
    assert.equal(await page.$eval(`#ent-${dictionaryIndex}`, (m) => getComputedStyle(m, '::after').content), '"LOC·DICT"');
    assert.equal(await page.textContent(`#entity-rows tr[data-index="${dictionaryIndex}"] td.source`), 'User dictionary');
    assert.equal(await page.textContent('#legend li[data-source="dictionary"] .legend-name'), 'Dictionary entity');
    await page.click('#lang-toggle');
    await forgetModel(page);
    await app.expectClean();
  });

  it("shows the model's output alone when the dictionary is switched off", async () => {
    const app = await openWithModel(LOOKUP_MODEL);
    const { page } = app;
    await page.waitForSelector('#dictionary-field:not([hidden])'); // the server has a dictionary
    assert.equal(await page.textContent('#dictionary-note'), `${DICTIONARY.length} 条`);
    assert.equal(await page.isChecked('#dictionary-toggle'), true);

    await page.focus('#dictionary-toggle');
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked('#dictionary-toggle'), false);
    const off = await recogniseInPage(page, LOOKUP_TEXT);
    assert.equal(off.sent.dictionary, false);
    assert.deepEqual(
      off.body.entities.map((e) => [e.span, e.source]),
      [
        ['李明', 'model'],
        ['甲乙', 'model'],
        ['京', 'model'],
      ],
      'the model alone: no 长江, and 京 not suppressed',
    );
    assertHighlights(await readHighlights(page, '#highlighted'), LOOKUP_TEXT, off.body.entities, 'dictionary off');
    assert.equal(await page.$$eval('#highlighted mark[data-source="dictionary"]', (m) => m.length), 0);

    await page.focus('#dictionary-toggle');
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked('#dictionary-toggle'), true);
    const on = await recogniseInPage(page, LOOKUP_TEXT);
    assert.equal('dictionary' in on.sent, false, 'on (the default): not sent');
    assert.equal(await page.$$eval('#highlighted mark[data-source="dictionary"]', (m) => m.length), 1);
    await forgetModel(page);
    await app.expectClean();
  });

  it('marks dictionary entities in batch results and the CSV says the source', async () => {
    const app = await openWithModel(LOOKUP_MODEL);
    const { page } = app;
    await page.click('#tab-batch');
    const lines = [LOOKUP_TEXT, '长江。'];
    await page.fill('#batch-input', lines.join('\n'));
    const answered = nextApiResponse(page, '/api/v1/ner/batch', 'POST');
    await page.click('#batch-run');
    const body = await (await answered).json();
    await page.waitForSelector('#batch-results-card[aria-busy="false"]');
    for (const [i, result] of body.results.entries()) {
      const line = `#batch-results li[data-line="${i + 1}"]`;
      const sources = await page.$$eval(`${line} mark.ent`, (all) => all.map((m) => [Number(m.dataset.index), m.dataset.source]));
      assert.deepEqual(sources, result.entities.map((e, k) => [k, e.source]));
      const count = result.entities.filter((e) => e.source === 'dictionary').length;
      assert.equal(await page.textContent(`${line} .source-tag[data-source="dictionary"]`), `词典 ${count}`);
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#batch-csv')]);
    const csv = fs.readFileSync(await download.path(), 'utf8').split('\r\n');
    assert.equal(csv[0], '\uFEFFline,type,start,end,span,prob,source');
    assert.ok(csv.includes('2,LOC,0,2,长江,1,dictionary'), csv.join('\n'));
    await forgetModel(page);
    await app.expectClean();
  });
});

describe('look with every setting shown', () => {
  it('fits a phone without sideways scrolling', async () => {
    const app = await openApp(chromium.context, stack.web.url);
    const { page } = app;
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForSelector('#dictionary-field:not([hidden])');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${overflow}px sideways overflow`);
    await page.setViewportSize({ width: 1440, height: 900 });
    await app.expectClean();
  });

  it('writes a screenshot of the main view', async () => {
    const app = await openApp(chromium.context, stack.web.url);
    const { page } = app;
    await page.click('#lang-toggle'); // English labels for the README
    await page.click('button[data-sample="mixed"]');
    const { body } = await recogniseInPage(page, await page.inputValue('#text-input'));
    const dictionaryIndex = body.entities.findIndex((e) => e.source === 'dictionary');
    assert.ok(dictionaryIndex >= 0, 'the dictionary forces 腾讯公司 in the mixed sample');
    assert.ok(body.entities.some((e) => e.source === 'model'));
    await page.hover(`#ent-${dictionaryIndex}`);
    await page.waitForSelector('#tooltip:not([hidden])');
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, 'main.png');
    await page.screenshot({ path: file, animations: 'disabled' });
    assert.ok(fs.statSync(file).size > 20_000, 'a real picture, not an empty page');
    // The README's copy is refreshed on request only, so a test run does not dirty the work tree.
    if (process.env.NER_WEBUI_UPDATE_DOCS === '1' || !fs.existsSync(README_SCREENSHOT)) {
      fs.mkdirSync(path.dirname(README_SCREENSHOT), { recursive: true });
      fs.copyFileSync(file, README_SCREENSHOT);
    }
    await page.click('#lang-toggle');
    await app.expectClean();
  });
});
