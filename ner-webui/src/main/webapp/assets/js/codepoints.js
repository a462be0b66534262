// Code-point arithmetic. The API counts offsets in Unicode code points (Java/Python style), while
// JavaScript strings index UTF-16 code units: an emoji or any other astral character is one code
// point but two code units. Every offset the page uses goes through this module.
// Pure functions, no DOM: the unit tests import this file directly into node.

/** Number of code points in `text` (an unpaired surrogate counts as one, as in Java). */
export function codePointLength(text) {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/**
 * UTF-16 index of every code-point boundary: `index[k]` is where code point `k` starts, and
 * `index[codePointLength(text)] === text.length`.
 */
export function codeUnitIndex(text) {
  const index = [];
  for (let i = 0; i < text.length; i++) {
    index.push(i);
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  index.push(text.length);
  return index;
}

/** `text` between code points `start` (inclusive) and `end` (exclusive). */
export function sliceCodePoints(text, start, end) {
  const index = codeUnitIndex(text);
  return text.slice(index[start], index[end]);
}

/**
 * Cuts `text` into consecutive segments for rendering: plain runs and entity runs.
 *
 * @param {string} text the text the entities were found in
 * @param {Array<{start:number,end:number}>} entities code-point offsets, end exclusive, any order
 * @returns {{segments: Array<{text:string, entity:object|null, entityIndex:number}>, skipped: number[]}}
 *   `entityIndex` is the entity's position in the input array (-1 for plain runs); `skipped` lists
 *   input positions that were out of range or overlapped an earlier entity, so a caller can say so
 *   instead of drawing a wrong highlight.
 */
export function segment(text, entities) {
  const index = codeUnitIndex(text);
  const length = index.length - 1;
  const order = entities
    .map((entity, entityIndex) => ({ entity, entityIndex }))
    .sort((a, b) => a.entity.start - b.entity.start || a.entity.end - b.entity.end);
  const segments = [];
  const skipped = [];
  let cursor = 0;
  for (const { entity, entityIndex } of order) {
    const { start, end } = entity;
    const valid =
      Number.isInteger(start) && Number.isInteger(end) && start >= cursor && end > start && end <= length;
    if (!valid) {
      skipped.push(entityIndex);
      continue;
    }
    if (start > cursor) {
      segments.push({ text: text.slice(index[cursor], index[start]), entity: null, entityIndex: -1 });
    }
    segments.push({ text: text.slice(index[start], index[end]), entity, entityIndex });
    cursor = end;
  }
  if (cursor < length) {
    segments.push({ text: text.slice(index[cursor]), entity: null, entityIndex: -1 });
  }
  skipped.sort((a, b) => a - b);
  return { segments, skipped };
}
