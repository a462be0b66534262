// Static checks of the shipped files: what the Content-Security-Policy and "no CDN" promise.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const WEBAPP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'main', 'webapp');
const files = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
const shipped = files(WEBAPP);
const read = (file) => fs.readFileSync(file, 'utf8');
const html = read(path.join(WEBAPP, 'index.html'));

describe('shipped files', () => {
  it('has index.html at the root and only web assets', () => {
    assert.ok(shipped.includes(path.join(WEBAPP, 'index.html')));
    for (const file of shipped) assert.match(path.basename(file), /\.(html|css|js|svg)$/, file);
  });

  it('index.html has no inline script, style or event handler (the CSP forbids them)', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attributes, body] of scripts) {
      assert.match(attributes, /\bsrc="/, 'every script is a file');
      assert.equal(body.trim(), '', 'no inline code');
    }
    assert.doesNotMatch(html, /<style\b/);
    assert.doesNotMatch(html, /\sstyle="/);
    assert.doesNotMatch(html, /\son[a-z]+="/);
  });

  it('loads nothing from another origin (no CDN)', () => {
    for (const file of shipped) {
      const text = read(file);
      assert.doesNotMatch(text, /(?:src|href|action)\s*=\s*["']?(?:https?:)?\/\//i, file);
      assert.doesNotMatch(text, /url\(\s*["']?(?:https?:)?\/\//i, file);
      assert.doesNotMatch(text, /(?:import|from)\s*\(?\s*["'](?:https?:)?\/\//i, file);
      assert.doesNotMatch(text, /fetch\(\s*["'`](?:https?:)?\/\//i, file);
    }
  });

  it('every file index.html and the modules refer to exists', () => {
    for (const [, ref] of html.matchAll(/(?:src|href)="([^"#]+)"/g)) {
      assert.ok(fs.existsSync(path.join(WEBAPP, ref)), `index.html -> ${ref}`);
    }
    for (const file of shipped.filter((f) => f.endsWith('.js'))) {
      for (const [, ref] of read(file).matchAll(/(?:import|export)[^'"]*from\s*'([^']+)'/g)) {
        assert.ok(fs.existsSync(path.resolve(path.dirname(file), ref)), `${path.basename(file)} -> ${ref}`);
      }
    }
  });

  it('every label index.html names exists in both languages', async () => {
    const { labelKeys, LANGUAGES } = await import('../../src/main/webapp/assets/js/i18n.js');
    const named = [
      ...[...html.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]),
      ...[...html.matchAll(/data-i18n-attr="([^"]+)"/g)].flatMap((m) => m[1].split(';').map((pair) => pair.split(':')[1].trim())),
    ];
    assert.ok(named.length > 20);
    for (const lang of LANGUAGES) {
      const keys = new Set(labelKeys(lang));
      for (const key of named) assert.ok(keys.has(key), `${lang}: ${key}`);
    }
  });

  it('never writes HTML from strings (Trusted Types forbids it)', () => {
    for (const file of shipped.filter((f) => f.endsWith('.js'))) {
      assert.doesNotMatch(read(file), /\.(?:innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/, file);
    }
  });
});
