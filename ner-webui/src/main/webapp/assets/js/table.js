// The entity table: sortable by any column, filterable by type, with a count per type; the last
// column says who found each entity (the model or the user dictionary).

import { formatProb } from './highlight.js';
import { sourceName, t, typeName } from './i18n.js';

/** Entities in display order: filtered to `type` (null = all), sorted by `key` and `direction`. */
export function sortAndFilter(entities, { key = 'start', direction = 'ascending', type = null } = {}) {
  const sign = direction === 'descending' ? -1 : 1;
  const compare = (a, b) => {
    const x = a.entity[key];
    const y = b.entity[key];
    const primary = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh');
    // Ties keep text order, so the table never shuffles equal rows.
    return sign * primary || a.entity.start - b.entity.start || a.index - b.index;
  };
  return entities
    .map((entity, index) => ({ entity, index }))
    .filter((row) => type === null || row.entity.type === type)
    .sort(compare);
}

/** Number of entities of each type, types in `knownTypes` order first (zero counts kept). */
export function countByType(entities, knownTypes = []) {
  const counts = new Map(knownTypes.map((type) => [type, 0]));
  for (const e of entities) counts.set(e.type, (counts.get(e.type) || 0) + 1);
  return counts;
}

export class EntityTable {
  /**
   * @param {{table: HTMLTableElement, body: HTMLElement, filter: HTMLElement, empty: HTMLElement,
   *   onActivate: (index:number) => void}} parts
   */
  constructor({ table, body, filter, empty, onActivate }) {
    this.table = table;
    this.body = body;
    this.filter = filter;
    this.empty = empty;
    this.onActivate = onActivate;
    this.entities = [];
    this.types = [];
    this.state = { key: 'start', direction: 'ascending', type: null };
    table.querySelector('thead').addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button.sort') : null;
      if (!button) return;
      const key = button.dataset.key;
      const same = this.state.key === key;
      this.state.key = key;
      this.state.direction = same && this.state.direction === 'ascending' ? 'descending' : 'ascending';
      this.render();
    });
    filter.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button[data-filter]') : null;
      if (!button) return;
      this.state.type = button.dataset.filter === '' ? null : button.dataset.filter;
      this.render();
    });
    body.addEventListener('click', (event) => {
      const row = event.target instanceof Element ? event.target.closest('tr[data-index]') : null;
      if (row) this.onActivate(Number(row.dataset.index));
    });
    body.addEventListener('keydown', (event) => {
      const row = event.target instanceof Element ? event.target.closest('tr[data-index]') : null;
      if (row && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        this.onActivate(Number(row.dataset.index));
      }
    });
  }

  /** Shows a new result; `types` are the model's entity types (for zero counts and order). */
  setEntities(entities, types) {
    this.entities = entities;
    this.types = types;
    if (this.state.type !== null && !entities.some((e) => e.type === this.state.type)) this.state.type = null;
    this.render();
  }

  render() {
    const counts = countByType(this.entities, this.types);
    const buttons = [['', t('all'), this.entities.length]];
    for (const [type, count] of counts) buttons.push([type, type, count]);
    this.filter.replaceChildren(
      ...buttons.map(([value, label, count]) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'chip';
        button.dataset.filter = value;
        if (value) button.dataset.type = value;
        button.setAttribute('aria-pressed', String((this.state.type ?? '') === value));
        if (value) button.title = typeName(value);
        const name = document.createElement('span');
        name.textContent = label;
        const badge = document.createElement('span');
        badge.className = 'count';
        badge.textContent = String(count);
        button.append(name, badge);
        return button;
      }),
    );

    for (const th of this.table.querySelectorAll('thead th')) {
      th.setAttribute('aria-sort', th.dataset.key === this.state.key ? this.state.direction : 'none');
    }

    const rows = sortAndFilter(this.entities, this.state).map(({ entity, index }) => {
      const tr = document.createElement('tr');
      tr.dataset.index = String(index);
      tr.dataset.type = entity.type;
      tr.tabIndex = 0;
      const source = entity.source === 'dictionary' ? 'dictionary' : 'model';
      tr.dataset.source = source;
      const cells = [entity.type, entity.span, entity.start, entity.end, formatProb(entity.prob), sourceName(source)];
      cells.forEach((value, column) => {
        const td = document.createElement('td');
        if (column === 0 || column === 5) {
          const tag = document.createElement('span');
          tag.className = column === 0 ? 'type-tag' : 'source-tag';
          if (column === 0) tag.dataset.type = entity.type;
          else tag.dataset.source = source;
          tag.textContent = String(value);
          td.append(tag);
        } else {
          td.textContent = String(value);
        }
        td.className = ['type', 'span', 'num', 'num', 'num', 'source'][column];
        tr.append(td);
      });
      return tr;
    });
    this.body.replaceChildren(...rows);
    this.empty.hidden = rows.length > 0;
  }
}
