import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countByType, sortAndFilter } from '../../src/main/webapp/assets/js/table.js';
import { initialLanguage, labelKeys, LANGUAGES, setLanguage, sourceName, t } from '../../src/main/webapp/assets/js/i18n.js';

const entities = [
  { type: 'LOC', start: 10, end: 12, span: '北京', prob: 0.8 },
  { type: 'PER', start: 0, end: 2, span: '张伟', prob: 0.95 },
  { type: 'LOC', start: 4, end: 6, span: '上海', prob: 0.8 },
];

describe('entity table logic', () => {
  it('sorts by any column, both ways, ties in text order', () => {
    const order = (options) => sortAndFilter(entities, options).map((row) => row.index);
    assert.deepEqual(order({ key: 'start' }), [1, 2, 0]);
    assert.deepEqual(order({ key: 'start', direction: 'descending' }), [0, 2, 1]);
    assert.deepEqual(order({ key: 'prob' }), [2, 0, 1], 'equal probabilities keep text order');
    assert.deepEqual(order({ key: 'type' }), [2, 0, 1]);
  });

  it('filters by type and counts per type with zero counts kept', () => {
    assert.deepEqual(sortAndFilter(entities, { type: 'LOC' }).map((row) => row.entity.span), ['上海', '北京']);
    assert.deepEqual(sortAndFilter(entities, { type: 'ORG' }), []);
    assert.deepEqual([...countByType(entities, ['PER', 'LOC', 'ORG'])], [['PER', 1], ['LOC', 2], ['ORG', 0]]);
  });
});

describe('labels', () => {
  it('picks the stored language, else the browser one, else English', () => {
    assert.equal(initialLanguage('en', ['zh-CN']), 'en');
    assert.equal(initialLanguage(null, ['fr-FR', 'zh-TW']), 'zh');
    assert.equal(initialLanguage('xx', ['fr']), 'en');
  });

  it('fills placeholders in both languages', () => {
    setLanguage('en');
    assert.equal(t('chars', { n: 3, max: 10 }), '3 / 10 chars');
    setLanguage('zh');
    assert.equal(t('chars', { n: 3, max: 10 }), '3 / 10 字符');
    assert.throws(() => setLanguage('xx'));
  });

  it('has every label in every language', () => {
    const [first, ...others] = LANGUAGES;
    for (const lang of others) assert.deepEqual(labelKeys(lang).sort(), labelKeys(first).sort(), lang);
  });

  it('names the source of an entity', () => {
    setLanguage('en');
    assert.equal(sourceName('dictionary'), 'User dictionary');
    assert.equal(sourceName('model'), 'Model');
    assert.equal(sourceName(undefined), 'Model', 'an entity without source is the model\'s');
    setLanguage('zh');
    assert.equal(sourceName('dictionary'), '用户词典');
  });
});
