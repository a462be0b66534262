// Model bundles and user dictionaries for the browser tests that need a server with more than the
// embedded model. Both come from ner-api's own test bundle, whose answer for any text is known:
// every 京 is LOC, every 李明 PER, every 甲乙 ORG, nothing else (make_lookup_bundle.py).

import fs from 'node:fs';
import path from 'node:path';
import { MODULE_DIR } from './servers.js';

export const LOOKUP_BUNDLE = path.resolve(MODULE_DIR, '..', 'ner-api', 'src', 'test', 'resources', 'lookup-bundle');
export const LOOKUP_MODEL = 'lookup-test';

/**
 * A copy of the lookup bundle under `dir` named `name`, whose `from` type is called `to` (the same
 * weights: every 甲乙 becomes a `to`): a model with other entity types than the embedded one.
 * @returns {string} the bundle's directory
 */
export function relabelledLookupBundle(dir, { name, from, to }) {
  const bundle = path.join(dir, name);
  fs.mkdirSync(bundle, { recursive: true });
  for (const file of ['model.onnx', 'tokenizer.json']) fs.copyFileSync(path.join(LOOKUP_BUNDLE, file), path.join(bundle, file));
  const meta = JSON.parse(fs.readFileSync(path.join(LOOKUP_BUNDLE, 'ner-model.json'), 'utf8'));
  meta.name = name;
  meta.description = `The lookup test bundle with ${from} called ${to}`;
  meta.labels = meta.labels.map((label) => label.replace(new RegExp(`-${from}$`), `-${to}`));
  fs.writeFileSync(path.join(bundle, 'ner-model.json'), JSON.stringify(meta, null, 1));
  return bundle;
}

/** Writes a user dictionary (`[term, TYPE or '-']` pairs) to `file` in ner-api's format. */
export function writeDictionary(file, entries) {
  fs.writeFileSync(file, '# browser-test dictionary\n' + entries.map(([term, type]) => `${term}\t${type}\n`).join(''));
  return file;
}

/** Polls GET /api/v1/dictionary until it has `entries` terms (it loads after the models). */
export async function awaitDictionary(baseUrl, entries, { timeoutMs = 20_000, headers = {} } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/api/v1/dictionary`, { headers });
    last = await response.json();
    if (response.status === 200 && last.entries === entries) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the dictionary did not load ${entries} terms within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}
