// What a recognition request asks for besides its texts, and which model the picker starts on.
// Pure functions, no DOM (unit-tested in node).

/** The types every bundle of this project finds, in the order the page shows them. */
export const KNOWN_TYPES = ['PER', 'LOC', 'ORG'];

/** A model's entity types in display order: PER, LOC, ORG first, any other type after, by name. */
export function orderTypes(types) {
  const rank = (type) => (KNOWN_TYPES.includes(type) ? KNOWN_TYPES.indexOf(type) : KNOWN_TYPES.length);
  return [...new Set(types)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * The model the picker shows: the one the user picked before if it is still served, else the
 * server's default, else the first one; null for an empty list.
 * @param {{default?: string, models?: Array<{name: string}>}} list the answer of GET /api/v1/models
 * @param {string|null} stored the name remembered from an earlier visit
 */
export function chooseModel(list, stored) {
  const names = (list && Array.isArray(list.models) ? list.models : []).map((m) => m.name);
  if (stored && names.includes(stored)) return stored;
  if (list && names.includes(list.default)) return list.default;
  return names[0] ?? null;
}

/** "name v1.2.0" (or just the name when a model has no version). */
export function modelLabel(info) {
  return info.version ? `${info.name} v${info.version}` : info.name;
}

/**
 * The optional fields of POST /api/v1/ner and /ner/batch, each sent only when it changes the
 * answer: `model` when one is picked; `types` when some of the model's types are switched off
 * (an empty list when all are: the caller refuses to send that); `minProb` above 0;
 * `dictionary: false` when the user dictionary is switched off.
 * @param {{model: string|null, modelTypes: string[], excluded: Set<string>, minProb: number, dictionary: boolean}} settings
 */
export function requestOptions({ model, modelTypes, excluded, minProb, dictionary }) {
  const options = {};
  if (model) options.model = model;
  const types = modelTypes.filter((type) => !excluded.has(type));
  if (types.length < modelTypes.length) options.types = types;
  if (Number.isFinite(minProb) && minProb > 0) options.minProb = minProb;
  if (dictionary === false) options.dictionary = false;
  return options;
}
