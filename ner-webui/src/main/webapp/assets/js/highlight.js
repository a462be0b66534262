// Draws a text with its entities highlighted, and the one tooltip that describes the entity under
// the pointer or keyboard focus. DOM is built node by node (no innerHTML): the text is the user's.

import { segment } from './codepoints.js';
import { sourceName, t, typeName } from './i18n.js';

/** Formats a probability in [0, 1] as a percentage with one decimal. */
export function formatProb(prob) {
  return typeof prob === 'number' && Number.isFinite(prob) ? (prob * 100).toFixed(1) + '%' : '—';
}

/**
 * Replaces the content of `container` with `text`, each entity wrapped in a focusable <mark>.
 * Every mark carries data-type, data-start, data-end (code points), data-index (the entity's
 * position in `entities`), so the table and the tests can find it, and data-source (`model` or
 * `dictionary`). A user-dictionary entity also says so in its tag (data-tag, shown by CSS) and in
 * its accessible name, so it is told apart by more than its look.
 * @returns {{marks: HTMLElement[], skipped: number[]}}
 */
export function renderHighlighted(container, text, entities, { idPrefix = 'ent' } = {}) {
  const { segments, skipped } = segment(text, entities);
  const fragment = document.createDocumentFragment();
  const marks = [];
  for (const part of segments) {
    if (!part.entity) {
      fragment.append(part.text);
      continue;
    }
    const { type, start, end, prob } = part.entity;
    const dictionary = part.entity.source === 'dictionary';
    const mark = document.createElement('mark');
    mark.className = 'ent';
    mark.id = `${idPrefix}-${part.entityIndex}`;
    mark.tabIndex = 0;
    mark.dataset.type = type;
    mark.dataset.start = String(start);
    mark.dataset.end = String(end);
    mark.dataset.index = String(part.entityIndex);
    mark.dataset.prob = String(prob);
    mark.dataset.source = dictionary ? 'dictionary' : 'model';
    mark.dataset.tag = dictionary ? `${type}·${t('dictTag')}` : type;
    const described = dictionary ? `${typeName(type)}, ${type}, ${sourceName('dictionary')}` : `${typeName(type)}, ${type}`;
    mark.setAttribute('aria-label', `${part.text} (${described})`);
    mark.textContent = part.text;
    fragment.append(mark);
    marks.push(mark);
  }
  container.replaceChildren(fragment);
  return { marks, skipped };
}

/**
 * The shared tooltip: shown on hover and on keyboard focus of any `mark.ent` inside `scope`,
 * hidden on Escape, pointer leave or blur.
 */
export function attachTooltip(scope, tooltip) {
  let owner = null;

  function show(mark) {
    owner = mark;
    const rows = [
      [t('tipType'), `${mark.dataset.type} · ${typeName(mark.dataset.type)}`],
      [t('tipOffsets'), `[${mark.dataset.start}, ${mark.dataset.end})`],
      [t('tipProb'), formatProb(Number(mark.dataset.prob))],
      [t('tipSource'), sourceName(mark.dataset.source)],
    ];
    const title = document.createElement('div');
    title.className = 'tooltip-title';
    title.dataset.type = mark.dataset.type;
    title.textContent = mark.textContent;
    const list = document.createElement('dl');
    for (const [key, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = key;
      const dd = document.createElement('dd');
      dd.textContent = value;
      list.append(dt, dd);
    }
    tooltip.replaceChildren(title, list);
    tooltip.hidden = false;
    mark.setAttribute('aria-describedby', tooltip.id);
    place(mark);
  }

  function place(mark) {
    const box = mark.getBoundingClientRect();
    const tip = tooltip.getBoundingClientRect();
    const margin = 8;
    let left = box.left + box.width / 2 - tip.width / 2;
    left = Math.max(margin, Math.min(left, window.innerWidth - tip.width - margin));
    let top = box.bottom + margin;
    if (top + tip.height > window.innerHeight - margin) top = box.top - tip.height - margin;
    // CSSOM property writes are allowed by the Content-Security-Policy; style attributes are not.
    tooltip.style.left = `${Math.round(left)}px`;
    tooltip.style.top = `${Math.round(Math.max(margin, top))}px`;
  }

  function hide() {
    if (owner) owner.removeAttribute('aria-describedby');
    owner = null;
    tooltip.hidden = true;
  }

  const markOf = (event) => (event.target instanceof Element ? event.target.closest('mark.ent') : null);
  scope.addEventListener('mouseover', (event) => {
    const mark = markOf(event);
    if (mark && mark !== owner) show(mark);
  });
  scope.addEventListener('mouseout', (event) => {
    const mark = markOf(event);
    if (mark && !mark.contains(event.relatedTarget) && document.activeElement !== mark) hide();
  });
  scope.addEventListener('focusin', (event) => {
    const mark = markOf(event);
    if (mark) show(mark);
  });
  scope.addEventListener('focusout', (event) => {
    if (markOf(event)) hide();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && owner) hide();
  });
  window.addEventListener('scroll', () => owner && place(owner), { passive: true, capture: true });
  window.addEventListener('resize', () => owner && place(owner));
  return { show, hide };
}
