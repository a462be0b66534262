// Wires the page: settings, input, recognition, highlights, table, batch mode, readiness, the API
// key and messages.

import { ApiError, fetchDictionary, fetchModels, recognise, recogniseBatch } from './api.js';
import { apiKey, cleanApiKey, forgetApiKey, storeApiKey } from './apikey.js';
import { codePointLength } from './codepoints.js';
import { batchToCsv, batchToJson, chunkBatch, linesToRecognise } from './export.js';
import { attachTooltip, renderHighlighted } from './highlight.js';
import { applyLabels, initialLanguage, language, setLanguage, t, typeName } from './i18n.js';
import { modelLabel } from './options.js';
import { SAMPLES } from './samples.js';
import { RecognitionSettings } from './settings.js';
import { countByType, EntityTable } from './table.js';

const READINESS_POLL_MS = 15_000;
const FLASH_MS = 1600;
const DEFAULT_MAX_BATCH = 64;

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el;
};

const el = {
  langToggle: $('lang-toggle'),
  modelName: $('model-name'),
  modelInfo: $('model-info'),
  readiness: $('readiness'),
  readinessLabel: $('readiness-label'),
  keyStatus: $('key-status'),
  keyClear: $('key-clear'),
  authPanel: $('auth-panel'),
  authMessage: $('auth-message'),
  authForm: $('auth-form'),
  apiKeyInput: $('api-key'),
  modelSelect: $('model-select'),
  requestTypes: $('request-types'),
  minProb: $('min-prob'),
  minProbValue: $('min-prob-value'),
  dictionaryField: $('dictionary-field'),
  dictionaryToggle: $('dictionary-toggle'),
  dictionaryNote: $('dictionary-note'),
  tabSingle: $('tab-single'),
  tabBatch: $('tab-batch'),
  panelSingle: $('panel-single'),
  panelBatch: $('panel-batch'),
  notice: $('notice'),
  noticeTitle: $('notice-title'),
  noticeText: $('notice-text'),
  noticeDetail: $('notice-detail'),
  noticeClose: $('notice-close'),
  textInput: $('text-input'),
  charCount: $('char-count'),
  sampleButtons: $('sample-buttons'),
  clearBtn: $('clear-btn'),
  runBtn: $('run-btn'),
  runShortcut: $('run-shortcut'),
  resultCard: $('result-card'),
  latency: $('latency'),
  entityTotal: $('entity-total'),
  legend: $('legend'),
  highlighted: $('highlighted'),
  rawJson: $('raw-json-text'),
  copyJson: $('copy-json'),
  copyStatus: $('copy-status'),
  table: $('entity-table'),
  rows: $('entity-rows'),
  typeFilter: $('type-filter'),
  tableEmpty: $('table-empty'),
  batchInput: $('batch-input'),
  batchCount: $('batch-count'),
  batchFile: $('batch-file'),
  batchSample: $('batch-sample'),
  batchRun: $('batch-run'),
  batchShortcut: $('batch-shortcut'),
  batchResultsCard: $('batch-results-card'),
  batchLatency: $('batch-latency'),
  batchSummary: $('batch-summary'),
  batchResults: $('batch-results'),
  batchJson: $('batch-json'),
  batchCsv: $('batch-csv'),
  tooltip: $('tooltip'),
};

const state = {
  readiness: 'unknown', // unknown | ready | not-ready | offline | locked (API key needed)
  busy: false,
  answered: null, // { model, modelVersion } of the last answer
  result: null, // { text, data, latencyMs }
  batch: null, // { model, modelVersion, options, records, latencyMs }
  lastError: null, // { error, context } to re-label on language change
  auth: null, // label key of the API-key panel's message while it shows
  pendingRetry: null, // the request a 401 stopped, run again once a key is entered
};

const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

const table = new EntityTable({
  table: el.table,
  body: el.rows,
  filter: el.typeFilter,
  empty: el.tableEmpty,
  onActivate: revealEntity,
});
attachTooltip(document.body, el.tooltip);
const settings = new RecognitionSettings({
  select: el.modelSelect,
  types: el.requestTypes,
  minProb: el.minProb,
  minProbValue: el.minProbValue,
  dictionaryField: el.dictionaryField,
  dictionary: el.dictionaryToggle,
  dictionaryNote: el.dictionaryNote,
  onModelChange: renderModel,
});

// ---- models and readiness ------------------------------------------------------------------

function entityTypes() {
  return settings.entityTypes();
}

/** A positive integer limit of the picked model (GET /api/v1/models), else `fallback`. */
function limit(name, fallback) {
  const model = settings.model;
  const value = model && model.limits && model.limits[name];
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const maxTextChars = () => limit('maxTextChars', null);
const maxBatchTexts = () => limit('maxBatchTexts', DEFAULT_MAX_BATCH);
const maxBatchChars = () => limit('maxBatchChars', Infinity);

function setReadiness(readiness) {
  state.readiness = readiness;
  el.readiness.dataset.state = readiness;
  const key = {
    ready: 'readinessReady',
    'not-ready': 'readinessNotReady',
    offline: 'readinessOffline',
    locked: 'readinessLocked',
  }[readiness];
  el.readinessLabel.textContent = t(key || 'readinessUnknown');
}

/** What a failed call changes besides its message: readiness, and the model list after UNKNOWN_MODEL. */
function afterFailure(error) {
  if (error.kind === 'offline' || error.kind === 'timeout') setReadiness('offline');
  else if (error.kind === 'not-ready') setReadiness('not-ready');
  if (error.code === 'UNKNOWN_MODEL') refreshModels();
}

/**
 * GET /api/v1/models (the status poll, too): fills the picker and says whether the backend is
 * ready; the first success also asks for the dictionary. `focus`: a 401 moves the focus to the key
 * field (not for the background poll). Resolves true on success.
 */
async function refreshModels({ focus = false } = {}) {
  let ok = false;
  try {
    const { data } = await fetchModels();
    settings.setModels(data);
    setReadiness('ready');
    ok = true;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (!askForKey(error, null, focus)) afterFailure(error);
  }
  if (ok && settings.dictionaryStatus === null) await refreshDictionary();
  renderModel();
  return ok;
}

/** GET /api/v1/dictionary: the dictionary switch and legend entry show when one is configured. */
async function refreshDictionary() {
  try {
    const { data } = await fetchDictionary();
    settings.setDictionaryStatus(data);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    askForKey(error, null, false); // anything else: no switch now; the next poll asks again
  }
}

/** The status bar: the model of the last answer, or the picked one before any answer. */
function renderModel() {
  const picked = settings.model;
  const shown = state.answered ?? (picked && { model: picked.name, modelVersion: picked.version });
  el.modelName.textContent = shown ? modelLabel({ name: shown.model, version: shown.modelVersion }) : '—';
  el.modelInfo.title = picked ? entityTypes().map((type) => `${type} ${typeName(type)}`).join(' · ') : '';
  updateCharCount();
  renderLegend();
}

// ---- API key -------------------------------------------------------------------------------

/**
 * After a 401: shows the key field (saying whether a key is missing or was refused, and forgetting
 * a refused one) and keeps `retry` to run once a key is entered. False for any other error.
 */
function askForKey(error, retry, focus) {
  if (error.kind !== 'unauthorized') return false;
  // A call that left before a key was entered: the key's own retry decides.
  if (!error.keySent && apiKey() !== null) return true;
  if (retry) state.pendingRetry = retry;
  if (error.keySent) forgetApiKey();
  setReadiness('locked');
  renderKeyStatus();
  showAuth(error.keySent ? 'authRejected' : 'authRequired', focus);
  return true;
}

function showAuth(messageKey, focus) {
  state.auth = messageKey;
  el.authMessage.textContent = t(messageKey);
  el.authPanel.hidden = false;
  if (focus) el.apiKeyInput.focus();
}

function hideAuth() {
  state.auth = null;
  el.authPanel.hidden = true;
}

function renderKeyStatus() {
  el.keyStatus.hidden = apiKey() === null;
}

/** The key form: keep the key for this tab, reload the models, then run the stopped request. */
async function submitKey(event) {
  event.preventDefault();
  const key = cleanApiKey(el.apiKeyInput.value);
  if (key === null) {
    showAuth('authInvalid', true);
    return;
  }
  storeApiKey(key);
  el.apiKeyInput.value = '';
  hideAuth();
  renderKeyStatus();
  await refreshModels({ focus: true });
  if (!el.authPanel.hidden) return; // refused: the panel asks again and the retry waits
  const retry = state.pendingRetry;
  state.pendingRetry = null;
  if (retry) await retry();
}

/** Forgets the key; a server that needs one asks again at once. */
function clearKey() {
  forgetApiKey();
  renderKeyStatus();
  refreshModels({ focus: true });
}

// ---- messages ------------------------------------------------------------------------------

function showNotice(title, text, detail = '') {
  el.noticeTitle.textContent = title;
  el.noticeText.textContent = text;
  el.noticeDetail.textContent = detail;
  el.noticeDetail.hidden = !detail;
  el.notice.hidden = false;
}

function hideNotice() {
  state.lastError = null;
  el.notice.hidden = true;
}

function retryText(error) {
  return error.retryAfter !== null ? t('retryIn', { s: error.retryAfter }) : t('retryLater');
}

/** A friendly message for a failed call; `context` says what was sent. */
function showError(error, context) {
  state.lastError = { error, context };
  const detail = error.status ? `HTTP ${error.status}${error.code ? ' ' + error.code : ''}${error.message ? ': ' + error.message : ''}` : '';
  switch (error.kind) {
    case 'too-long': {
      const max = maxTextChars();
      let text;
      if (error.code === 'TOO_MANY_TEXTS') text = t('errTooManyTexts', { max: maxBatchTexts() });
      else if (error.code === 'TEXT_TOO_LONG' && max !== null && context.batch) {
        text = t('errLineTooLong', { max, lines: context.longLines.join(', ') || '?' });
      } else if (error.code === 'TEXT_TOO_LONG' && max !== null) text = t('errTooLong', { max, n: context.chars });
      else text = t('errTooLongNoLimit');
      return showNotice(t('errTooLongTitle'), text, detail);
    }
    case 'overloaded':
      return showNotice(t('errOverloadedTitle'), t('errOverloaded', { retry: retryText(error) }), detail);
    case 'not-ready':
      return showNotice(t('errNotReadyTitle'), t('errNotReady', { retry: retryText(error) }), detail);
    case 'offline':
      return showNotice(t('errOfflineTitle'), t('errOffline'), detail);
    case 'timeout':
      return showNotice(t('errTimeoutTitle'), t('errTimeout'), detail);
    case 'bad-request':
      if (error.code === 'UNKNOWN_MODEL') return showNotice(t('errUnknownModelTitle'), t('errUnknownModel'), detail);
      return showNotice(t('errBadRequestTitle'), t('errBadRequest'), detail);
    case 'no-types':
      return showNotice(t('errNoTypesTitle'), t('errNoTypes'));
    case 'file':
      return showNotice(t('errFileTitle'), t('errFile'), error.message);
    case 'empty':
      return showNotice(t('errEmptyTitle'), t(context.batch ? 'errEmptyBatch' : 'errEmpty'));
    default:
      return showNotice(t('errServerTitle'), t('errServer'), detail);
  }
}

// ---- single text ---------------------------------------------------------------------------

function updateCharCount() {
  const n = codePointLength(el.textInput.value);
  const max = maxTextChars();
  el.charCount.textContent = max === null ? t('charsNoLimit', { n }) : t('chars', { n, max });
  el.charCount.classList.toggle('over', max !== null && n > max);
}

function setBusy(busy, button, card, labelKey) {
  state.busy = busy;
  button.disabled = busy;
  button.classList.toggle('is-busy', busy);
  button.querySelector('[data-i18n]').textContent = t(busy ? 'running' : labelKey);
  card.setAttribute('aria-busy', String(busy));
}

/** The settings as request fields, or null (and a message) when every entity type is switched off. */
function optionsToSend() {
  const options = settings.options();
  if (options.types && options.types.length === 0) {
    showError({ kind: 'no-types' }, {});
    return null;
  }
  return options;
}

async function runSingle() {
  if (state.busy) return;
  const text = el.textInput.value;
  if (text.trim() === '') {
    showError({ kind: 'empty' }, { batch: false });
    return;
  }
  const options = optionsToSend();
  if (!options) return;
  setBusy(true, el.runBtn, el.resultCard, 'run');
  try {
    const { data, latencyMs } = await recognise(text, options);
    hideNotice();
    setReadiness('ready');
    state.answered = { model: data.model, modelVersion: data.modelVersion };
    state.result = { text, data, latencyMs };
    renderModel();
    renderResult();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (askForKey(error, runSingle, true)) {
      hideNotice();
      return;
    }
    afterFailure(error);
    showError(error, { chars: codePointLength(text), batch: false });
  } finally {
    setBusy(false, el.runBtn, el.resultCard, 'run');
  }
}

/** A legend entry: a swatch drawn like the highlight, the code, its name and a count. */
function legendItem({ type = null, dictionary = false, code, name, count }) {
  const li = document.createElement('li');
  li.className = 'legend-item';
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  if (type) li.dataset.type = swatch.dataset.type = type;
  if (dictionary) li.dataset.source = swatch.dataset.source = 'dictionary';
  swatch.setAttribute('aria-hidden', 'true');
  const codeEl = document.createElement('span');
  codeEl.className = 'legend-code';
  codeEl.textContent = code;
  const nameEl = document.createElement('span');
  nameEl.className = 'legend-name';
  nameEl.textContent = name;
  const countEl = document.createElement('span');
  countEl.className = 'count';
  countEl.textContent = String(count);
  li.append(swatch, codeEl, nameEl, countEl);
  return li;
}

function renderLegend() {
  const entities = state.result ? state.result.data.entities : [];
  const types = [...new Set([...entityTypes(), ...entities.map((e) => e.type)])];
  const counts = countByType(entities, types);
  const items = types.map((type) => legendItem({ type, code: type, name: typeName(type), count: counts.get(type) || 0 }));
  const fromDictionary = entities.filter((e) => e.source === 'dictionary').length;
  if (settings.hasDictionary || fromDictionary > 0) {
    items.push(legendItem({ dictionary: true, code: t('dictTag'), name: t('legendDictionary'), count: fromDictionary }));
  }
  el.legend.replaceChildren(...items);
}

function renderResult() {
  const result = state.result;
  if (!result) return;
  const entities = Array.isArray(result.data.entities) ? result.data.entities : [];
  const { skipped } = renderHighlighted(el.highlighted, result.text, entities, { idPrefix: 'ent' });
  if (entities.length === 0 || skipped.length > 0) {
    const note = document.createElement('p');
    note.className = entities.length === 0 ? 'placeholder' : 'warn';
    note.textContent = entities.length === 0 ? t('noEntities') : t('skippedEntities', { n: skipped.length });
    el.highlighted.append(note);
  }
  el.latency.textContent = `${Math.round(result.latencyMs)} ms`;
  el.entityTotal.textContent = String(entities.length);
  el.rawJson.textContent = JSON.stringify(result.data, null, 2);
  el.copyJson.disabled = false;
  el.copyStatus.textContent = '';
  renderLegend();
  table.setEntities(entities, entityTypes());
}

/** Table row -> scroll its highlight into view, focus it (which shows the tooltip) and flash it. */
function revealEntity(index) {
  const mark = document.getElementById(`ent-${index}`);
  if (!mark) return;
  mark.scrollIntoView({ block: 'center', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
  mark.focus({ preventScroll: true });
  mark.classList.remove('flash');
  void mark.offsetWidth; // restart the animation when the same row is clicked again
  mark.classList.add('flash');
  clearTimeout(mark.flashTimer);
  mark.flashTimer = setTimeout(() => mark.classList.remove('flash'), FLASH_MS);
}

async function copyJson() {
  if (!state.result) return;
  const text = JSON.stringify(state.result.data, null, 2);
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    // No async clipboard (plain http on a non-local host): fall back to a selection copy.
    const area = document.createElement('textarea');
    area.value = text;
    area.className = 'visually-hidden';
    document.body.append(area);
    area.select();
    ok = document.execCommand('copy');
    area.remove();
  }
  el.copyStatus.textContent = t(ok ? 'copied' : 'copyFailed');
}

// ---- batch ---------------------------------------------------------------------------------

function updateBatchCount() {
  el.batchCount.textContent = t('lines', { n: linesToRecognise(el.batchInput.value).length });
}

async function runBatch() {
  if (state.busy) return;
  const lines = linesToRecognise(el.batchInput.value);
  if (lines.length === 0) {
    showError({ kind: 'empty' }, { batch: true });
    return;
  }
  const options = optionsToSend();
  if (!options) return;
  setBusy(true, el.batchRun, el.batchResultsCard, 'runBatch');
  const chunks = chunkBatch(lines, {
    maxTexts: maxBatchTexts(),
    maxChars: maxBatchChars(),
    length: (entry) => codePointLength(entry.text),
  });
  const records = [];
  let answered = null;
  let latencyMs = 0;
  try {
    for (const [i, part] of chunks.entries()) {
      if (chunks.length > 1) el.batchSummary.textContent = t('batchProgress', { i: i + 1, n: chunks.length });
      const response = await recogniseBatch(part.map((entry) => entry.text), options);
      latencyMs += response.latencyMs;
      answered = { model: response.data.model, modelVersion: response.data.modelVersion };
      const results = Array.isArray(response.data.results) ? response.data.results : [];
      if (results.length !== part.length) {
        throw new ApiError({ kind: 'server', status: 200, message: `${results.length} results for ${part.length} texts` });
      }
      part.forEach((entry, k) => records.push({ line: entry.line, text: entry.text, entities: results[k].entities || [] }));
    }
    hideNotice();
    setReadiness('ready');
    state.answered = answered;
    state.batch = { ...answered, options, records, latencyMs };
    renderModel();
    renderBatch();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (askForKey(error, runBatch, true)) {
      hideNotice();
      renderBatchSummary();
      return;
    }
    afterFailure(error);
    const max = maxTextChars();
    const longLines = max === null ? [] : lines.filter((entry) => codePointLength(entry.text) > max).map((entry) => entry.line);
    showError(error, { batch: true, longLines });
    renderBatchSummary();
  } finally {
    setBusy(false, el.batchRun, el.batchResultsCard, 'runBatch');
  }
}

function renderBatchSummary() {
  const batch = state.batch;
  el.batchSummary.textContent = batch
    ? t('batchSummary', { lines: batch.records.length, entities: batch.records.reduce((n, r) => n + r.entities.length, 0) })
    : '';
}

function renderBatch() {
  const batch = state.batch;
  if (!batch) return;
  el.batchLatency.textContent = `${Math.round(batch.latencyMs)} ms`;
  renderBatchSummary();
  const types = entityTypes();
  el.batchResults.replaceChildren(
    ...batch.records.map((record) => {
      const li = document.createElement('li');
      li.className = 'batch-item';
      li.dataset.line = String(record.line);
      const head = document.createElement('div');
      head.className = 'batch-head';
      const label = document.createElement('span');
      label.className = 'batch-line';
      label.textContent = t('line', { n: record.line });
      head.append(label);
      for (const [type, count] of countByType(record.entities, types)) {
        const chip = document.createElement('span');
        chip.className = 'type-tag';
        chip.dataset.type = type;
        chip.textContent = `${type} ${count}`;
        head.append(chip);
      }
      const fromDictionary = record.entities.filter((e) => e.source === 'dictionary').length;
      if (fromDictionary > 0) {
        const chip = document.createElement('span');
        chip.className = 'source-tag';
        chip.dataset.source = 'dictionary';
        chip.textContent = `${t('dictTag')} ${fromDictionary}`;
        head.append(chip);
      }
      const body = document.createElement('div');
      body.className = 'highlighted compact';
      renderHighlighted(body, record.text, record.entities, { idPrefix: `line${record.line}-ent` });
      li.append(head, body);
      return li;
    }),
  );
  el.batchJson.disabled = false;
  el.batchCsv.disabled = false;
}

function download(filename, mime, content) {
  const url = URL.createObjectURL(new Blob([content], { type: mime }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function loadBatchFile(file) {
  try {
    // fatal: a file that is not UTF-8 is refused instead of shown as mojibake.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
    el.batchInput.value = text.replace(/^\uFEFF/, '');
    updateBatchCount();
    hideNotice();
  } catch (error) {
    showError({ kind: 'file', message: `${file.name}: ${error.message}` }, {});
  }
}

// ---- tabs, language, keyboard --------------------------------------------------------------

function selectTab(batch) {
  el.tabSingle.setAttribute('aria-selected', String(!batch));
  el.tabBatch.setAttribute('aria-selected', String(batch));
  el.tabSingle.tabIndex = batch ? -1 : 0;
  el.tabBatch.tabIndex = batch ? 0 : -1;
  el.panelSingle.hidden = batch;
  el.panelBatch.hidden = !batch;
}

function renderSamples() {
  el.sampleButtons.replaceChildren(
    ...SAMPLES.map((sample) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'chip';
      button.dataset.sample = sample.id;
      button.textContent = sample.label[language()] || sample.id;
      return button;
    }),
  );
}

function applyLanguage(lang) {
  setLanguage(lang);
  try {
    localStorage.setItem('ner-webui.lang', lang);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.documentElement.dataset.lang = lang;
  applyLabels(document);
  el.langToggle.textContent = lang === 'zh' ? 'EN' : '中文';
  el.langToggle.lang = lang === 'zh' ? 'en' : 'zh-CN';
  el.langToggle.setAttribute('aria-label', lang === 'zh' ? 'Switch to English' : '切换到中文');
  setReadiness(state.readiness);
  renderSamples();
  settings.render();
  if (state.auth) el.authMessage.textContent = t(state.auth);
  renderModel();
  updateBatchCount();
  if (state.result) renderResult();
  else table.setEntities([], entityTypes());
  if (state.batch) renderBatch();
  if (state.lastError) showError(state.lastError.error, state.lastError.context);
}

function storedLanguage() {
  try {
    return localStorage.getItem('ner-webui.lang');
  } catch {
    return null;
  }
}

function init() {
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  el.runShortcut.textContent = el.batchShortcut.textContent = mac ? '⌘ Enter' : 'Ctrl+Enter';

  el.textInput.addEventListener('input', updateCharCount);
  el.batchInput.addEventListener('input', updateBatchCount);
  el.runBtn.addEventListener('click', runSingle);
  el.batchRun.addEventListener('click', runBatch);
  el.clearBtn.addEventListener('click', () => {
    el.textInput.value = '';
    updateCharCount();
    el.textInput.focus();
  });
  el.sampleButtons.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-sample]') : null;
    const sample = button && SAMPLES.find((s) => s.id === button.dataset.sample);
    if (!sample) return;
    el.textInput.value = sample.text;
    updateCharCount();
    el.textInput.focus();
  });
  el.batchSample.addEventListener('click', () => {
    el.batchInput.value = SAMPLES.map((s) => s.text).join('\n');
    updateBatchCount();
  });
  el.batchFile.addEventListener('change', () => {
    const file = el.batchFile.files && el.batchFile.files[0];
    if (file) loadBatchFile(file);
    el.batchFile.value = '';
  });
  el.batchInput.addEventListener('dragover', (event) => event.preventDefault());
  el.batchInput.addEventListener('drop', (event) => {
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (!file) return;
    event.preventDefault();
    loadBatchFile(file);
  });
  el.copyJson.addEventListener('click', copyJson);
  el.batchJson.addEventListener('click', () => {
    if (state.batch) download('ner-batch-results.json', 'application/json', batchToJson(state.batch, state.batch.records));
  });
  el.batchCsv.addEventListener('click', () => {
    if (state.batch) download('ner-batch-results.csv', 'text/csv;charset=utf-8', batchToCsv(state.batch.records));
  });
  el.noticeClose.addEventListener('click', hideNotice);
  el.tabSingle.addEventListener('click', () => selectTab(false));
  el.tabBatch.addEventListener('click', () => selectTab(true));
  for (const tab of [el.tabSingle, el.tabBatch]) {
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      const batch = tab === el.tabSingle;
      selectTab(batch);
      (batch ? el.tabBatch : el.tabSingle).focus();
    });
  }
  el.langToggle.addEventListener('click', () => applyLanguage(language() === 'zh' ? 'en' : 'zh'));
  el.authForm.addEventListener('submit', submitKey);
  el.keyClear.addEventListener('click', clearKey);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (el.panelBatch.hidden) runSingle();
      else runBatch();
    }
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshModels();
  });

  applyLanguage(initialLanguage(storedLanguage(), navigator.languages));
  renderKeyStatus();
  refreshModels({ focus: true });
  setInterval(() => {
    if (document.visibilityState === 'visible') refreshModels();
  }, READINESS_POLL_MS);
  document.documentElement.dataset.app = 'ready';
}

init();
