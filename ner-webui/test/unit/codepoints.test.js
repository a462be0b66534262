import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codePointLength, codeUnitIndex, segment, sliceCodePoints } from '../../src/main/webapp/assets/js/codepoints.js';

// Independent reference: Array.from iterates a string by code points.
const byCodePoints = (text, start, end) => Array.from(text).slice(start, end).join('');

describe('codepoints', () => {
  const text = '😀张伟在𠮷野家吃饭, Apple 2025年👨‍👩‍👧上海';

  it('counts code points, not UTF-16 units', () => {
    assert.equal(codePointLength(text), Array.from(text).length);
    assert.notEqual(codePointLength(text), text.length);
    assert.equal(codePointLength(''), 0);
    assert.equal(codePointLength('\uD800x'), 2, 'an unpaired surrogate counts as one');
  });

  it('maps every code point to its UTF-16 start', () => {
    const index = codeUnitIndex(text);
    assert.equal(index.length, Array.from(text).length + 1);
    assert.equal(index.at(-1), text.length);
    Array.from(text).forEach((cp, k) => assert.equal(text.slice(index[k], index[k + 1]), cp));
  });

  it('slices by code points around astral characters', () => {
    for (let start = 0; start < Array.from(text).length; start++) {
      for (let end = start; end <= Array.from(text).length; end++) {
        assert.equal(sliceCodePoints(text, start, end), byCodePoints(text, start, end));
      }
    }
  });

  it('segments text into plain and entity runs that add up to the text', () => {
    const entities = [
      { type: 'LOC', start: 27, end: 29 },
      { type: 'PER', start: 1, end: 3 },
      { type: 'ORG', start: 11, end: 16 },
    ];
    const { segments, skipped } = segment(text, entities);
    assert.deepEqual(skipped, []);
    assert.equal(segments.map((s) => s.text).join(''), text);
    const marked = segments.filter((s) => s.entity);
    assert.deepEqual(marked.map((s) => s.entityIndex), [1, 2, 0]);
    for (const s of marked) assert.equal(s.text, byCodePoints(text, s.entity.start, s.entity.end));
    assert.deepEqual(marked.map((s) => s.text), ['张伟', 'Apple', '上海']);
  });

  it('skips overlapping, empty and out-of-range entities instead of drawing them wrong', () => {
    const entities = [
      { start: 0, end: 3 },
      { start: 2, end: 4 }, // overlaps the first
      { start: 5, end: 5 }, // empty
      { start: 6, end: 99 }, // past the end
      { start: 1.5, end: 3 }, // not an integer
    ];
    const { segments, skipped } = segment('abcdefgh', entities);
    assert.deepEqual(skipped, [1, 2, 3, 4]);
    assert.equal(segments.map((s) => s.text).join(''), 'abcdefgh');
    assert.equal(segments.filter((s) => s.entity).length, 1);
  });

  it('handles a text without entities and an entity covering everything', () => {
    assert.deepEqual(segment('北京', []).segments, [{ text: '北京', entity: null, entityIndex: -1 }]);
    const whole = segment('😀😀', [{ start: 0, end: 2 }]).segments;
    assert.equal(whole.length, 1);
    assert.equal(whole[0].text, '😀😀');
  });
});
