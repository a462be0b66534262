// The recognition settings single and batch mode share: the model picker (filled from
// GET /api/v1/models, the pick remembered in localStorage), one chip per entity type of the picked
// model, the minimum-probability slider and the user-dictionary switch (shown only when the server
// has a dictionary). `options()` is what the next request sends (options.js decides which fields).

import { t, typeName } from './i18n.js';
import { chooseModel, KNOWN_TYPES, modelLabel, orderTypes, requestOptions } from './options.js';

const MODEL_STORAGE = 'ner-webui.model';

function storedModel() {
  try {
    return localStorage.getItem(MODEL_STORAGE);
  } catch {
    return null;
  }
}

function rememberModel(name) {
  try {
    localStorage.setItem(MODEL_STORAGE, name);
  } catch {
    // storage disabled: the pick lasts for this page only
  }
}

export class RecognitionSettings {
  /**
   * @param {{select: HTMLSelectElement, types: HTMLElement, minProb: HTMLInputElement,
   *   minProbValue: HTMLOutputElement, dictionaryField: HTMLElement, dictionary: HTMLInputElement,
   *   dictionaryNote: HTMLElement, onModelChange: () => void}} parts
   */
  constructor({ select, types, minProb, minProbValue, dictionaryField, dictionary, dictionaryNote, onModelChange }) {
    Object.assign(this, { select, types, minProb, minProbValue, dictionaryField, dictionary, dictionaryNote });
    this.list = null; // GET /api/v1/models
    this.listKey = '';
    this.dictionaryStatus = null; // GET /api/v1/dictionary
    this.excluded = new Set(); // types switched off; kept across models that share them
    select.addEventListener('change', () => {
      rememberModel(select.value);
      this.renderTypes();
      onModelChange();
    });
    types.addEventListener('click', (event) => {
      const chip = event.target instanceof Element ? event.target.closest('button[data-type]') : null;
      if (!chip) return;
      const type = chip.dataset.type;
      if (this.excluded.has(type)) this.excluded.delete(type);
      else this.excluded.add(type);
      this.renderTypes();
    });
    minProb.addEventListener('input', () => this.renderMinProb());
    this.render();
  }

  /** Shows the served models; keeps the pick while it is served (the status poll calls this). */
  setModels(list) {
    const key = JSON.stringify(list.models.map((m) => [m.name, m.version, m.default]));
    this.list = list;
    if (key === this.listKey) return; // unchanged: leave the picker alone (it may be open)
    this.listKey = key;
    const current = this.select.value || storedModel();
    this.renderModels(chooseModel(list, current));
    this.renderTypes();
  }

  /** The picked model's info (name, version, entityTypes, limits...), or null before the list. */
  get model() {
    if (!this.list) return null;
    return this.list.models.find((m) => m.name === this.select.value) ?? null;
  }

  /** The picked model's entity types in display order (PER, LOC, ORG before the list arrives). */
  entityTypes() {
    const model = this.model;
    return model && Array.isArray(model.entityTypes) ? orderTypes(model.entityTypes) : KNOWN_TYPES;
  }

  /** `{configured, entries, ...}` from GET /api/v1/dictionary: the switch shows when configured. */
  setDictionaryStatus(status) {
    this.dictionaryStatus = status;
    this.renderDictionary();
  }

  /** Whether the server has a user dictionary. */
  get hasDictionary() {
    return Boolean(this.dictionaryStatus && this.dictionaryStatus.configured);
  }

  /** The optional fields of the next request (`types` is [] when every type is off). */
  options() {
    return requestOptions({
      model: this.model ? this.model.name : null,
      modelTypes: this.entityTypes(),
      excluded: this.excluded,
      minProb: Number(this.minProb.value),
      dictionary: !this.hasDictionary || this.dictionary.checked,
    });
  }

  /** Draws everything again in the current language. */
  render() {
    this.renderModels(this.select.value || null);
    this.renderTypes();
    this.renderMinProb();
    this.renderDictionary();
  }

  renderModels(selected) {
    if (!this.list || this.list.models.length === 0) {
      const loading = document.createElement('option');
      loading.value = '';
      loading.textContent = t('modelsLoading');
      this.select.replaceChildren(loading);
      this.select.disabled = true;
      return;
    }
    this.select.replaceChildren(
      ...this.list.models.map((info) => {
        const option = document.createElement('option');
        option.value = info.name;
        option.textContent = info.default ? `${modelLabel(info)} · ${t('modelDefault')}` : modelLabel(info);
        if (info.default) option.dataset.default = 'true';
        if (info.description) option.title = info.description;
        return option;
      }),
    );
    this.select.disabled = false;
    this.select.value = selected ?? chooseModel(this.list, null);
  }

  /** The chips of the picked model's types (and the picker's tooltip: the model's description). */
  renderTypes() {
    const model = this.model;
    this.select.title = model && model.description ? model.description : '';
    this.types.replaceChildren(
      ...this.entityTypes().map((type) => {
        const chip = document.createElement('button');
        chip.type = 'button';
        chip.className = 'chip toggle';
        chip.dataset.type = type;
        chip.setAttribute('aria-pressed', String(!this.excluded.has(type)));
        chip.title = typeName(type);
        chip.textContent = type;
        return chip;
      }),
    );
  }

  renderMinProb() {
    const value = Number(this.minProb.value);
    const text = value > 0 ? `≥ ${Math.round(value * 100)}%` : t('minProbAny');
    this.minProbValue.textContent = text;
    this.minProb.setAttribute('aria-valuetext', text);
  }

  renderDictionary() {
    const status = this.dictionaryStatus;
    this.dictionaryField.hidden = !this.hasDictionary;
    this.dictionaryNote.textContent = this.hasDictionary ? t('dictionaryTerms', { n: status.entries }) : '';
  }
}
