import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanApiKey } from '../../src/main/webapp/assets/js/apikey.js';
import { chooseModel, modelLabel, orderTypes, requestOptions } from '../../src/main/webapp/assets/js/options.js';

const LIST = {
  default: 'raner-compact-zh',
  models: [{ name: 'lookup-test', version: '1' }, { name: 'raner-compact-zh', version: '1.1.0' }],
};

describe('request options', () => {
  const base = { model: 'm', modelTypes: ['PER', 'LOC', 'ORG'], excluded: new Set(), minProb: 0, dictionary: true };

  it('sends only the model when nothing else is changed', () => {
    assert.deepEqual(requestOptions(base), { model: 'm' });
    assert.deepEqual(requestOptions({ ...base, model: null }), {}, 'no model before the list arrives');
  });

  it('sends types only when some are switched off, in the model order', () => {
    assert.deepEqual(requestOptions({ ...base, excluded: new Set(['LOC']) }).types, ['PER', 'ORG']);
    assert.deepEqual(requestOptions({ ...base, excluded: new Set(['PER', 'LOC', 'ORG']) }).types, []);
    assert.equal('types' in requestOptions({ ...base, excluded: new Set(['GPE']) }), false, 'a type the model lacks changes nothing');
  });

  it('sends minProb only above 0, and dictionary only when off', () => {
    assert.equal('minProb' in requestOptions({ ...base, minProb: 0 }), false);
    assert.equal(requestOptions({ ...base, minProb: 0.35 }).minProb, 0.35);
    assert.equal('minProb' in requestOptions({ ...base, minProb: Number.NaN }), false);
    assert.equal('dictionary' in requestOptions(base), false);
    assert.equal(requestOptions({ ...base, dictionary: false }).dictionary, false);
  });
});

describe('model picker logic', () => {
  it('starts on the remembered model while it is served, else the default, else the first', () => {
    assert.equal(chooseModel(LIST, 'lookup-test'), 'lookup-test');
    assert.equal(chooseModel(LIST, 'gone-model'), 'raner-compact-zh');
    assert.equal(chooseModel(LIST, null), 'raner-compact-zh');
    assert.equal(chooseModel({ default: 'x', models: LIST.models }, null), 'lookup-test');
    assert.equal(chooseModel({ default: 'x', models: [] }, 'x'), null);
    assert.equal(chooseModel(null, 'x'), null);
  });

  it('labels a model with its version', () => {
    assert.equal(modelLabel({ name: 'raner-compact-zh', version: '1.1.0' }), 'raner-compact-zh v1.1.0');
    assert.equal(modelLabel({ name: 'bare' }), 'bare');
  });

  it('orders types PER, LOC, ORG, then any other by name, without repeats', () => {
    assert.deepEqual(orderTypes(['ORG', 'LOC', 'PER']), ['PER', 'LOC', 'ORG']);
    assert.deepEqual(orderTypes(['TIME', 'GPE', 'LOC', 'PER', 'LOC']), ['PER', 'LOC', 'GPE', 'TIME']);
  });
});

describe('API key', () => {
  it('keeps a visible-ASCII key, trimmed, and refuses what cannot go in a header', () => {
    assert.equal(cleanApiKey('  k-1_abc.XYZ~ \n'), 'k-1_abc.XYZ~');
    for (const bad of ['', '   ', 'two words', '密钥', 'tab\there', 'é']) assert.equal(cleanApiKey(bad), null, JSON.stringify(bad));
  });
});
