import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchToCsv, batchToJson, chunkBatch, CSV_HEADER, linesToRecognise, parseCsv } from '../../src/main/webapp/assets/js/export.js';

const records = [
  { line: 1, text: '张伟在北京', entities: [{ type: 'PER', start: 0, end: 2, span: '张伟', prob: 0.91, source: 'model' }, { type: 'LOC', start: 3, end: 5, span: '北京', prob: 1, source: 'dictionary' }] },
  { line: 3, text: 'nothing', entities: [] },
  { line: 4, text: 'x', entities: [{ type: 'ORG', start: 0, end: 7, span: 'A "quoted", multi\nline', prob: 1 }, { type: 'ORG', start: 0, end: 3, span: '=1+2', prob: 0.1 }] },
];

describe('batch export', () => {
  it('writes JSON with the model, its version, the options sent and every line in order', () => {
    const options = { model: 'm1', types: ['PER', 'LOC'], minProb: 0.5 };
    const parsed = JSON.parse(batchToJson({ model: 'm1', modelVersion: '2.0', options, latencyMs: 5 }, records));
    assert.deepEqual(parsed, { model: 'm1', modelVersion: '2.0', options, results: records });
  });

  it('writes RFC 4180 CSV with a BOM, one row per entity, quoting what needs it', () => {
    const csv = batchToCsv(records);
    assert.ok(csv.startsWith('\uFEFFline,type,start,end,span,prob,source\r\n'));
    const rows = parseCsv(csv);
    assert.deepEqual(rows[0], CSV_HEADER);
    assert.deepEqual(rows.slice(1), [
      ['1', 'PER', '0', '2', '张伟', '0.91', 'model'],
      ['1', 'LOC', '3', '5', '北京', '1', 'dictionary'],
      ['4', 'ORG', '0', '7', 'A "quoted", multi\nline', '1', 'model'],
      ['4', 'ORG', '0', '3', "'=1+2", '0.1', 'model'],
    ]);
  });

  it('keeps line numbers and drops blank lines', () => {
    assert.deepEqual(linesToRecognise('a\r\n\n  \nb\rc\n'), [
      { line: 1, text: 'a' },
      { line: 4, text: 'b' },
      { line: 5, text: 'c' },
    ]);
  });

  it('chunks by count and by total characters', () => {
    const entries = ['aa', 'bbb', 'c', 'dddd', 'e'].map((text) => ({ text }));
    const length = (entry) => entry.text.length;
    const texts = (chunks) => chunks.map((c) => c.map((e) => e.text));
    assert.deepEqual(texts(chunkBatch(entries, { maxTexts: 2, length })), [['aa', 'bbb'], ['c', 'dddd'], ['e']]);
    assert.deepEqual(texts(chunkBatch(entries, { maxTexts: 10, maxChars: 5, length })), [['aa', 'bbb'], ['c', 'dddd'], ['e']]);
    assert.deepEqual(texts(chunkBatch(entries, { maxTexts: 10, maxChars: 3, length })), [['aa'], ['bbb'], ['c'], ['dddd'], ['e']]);
    assert.deepEqual(chunkBatch([], { maxTexts: 3, length }), []);
  });
});
