// Helpers the browser tests share: a page that records every console error, page error and CSP
// violation; running recognition the way a user does; reading what the page shows.

import assert from 'node:assert/strict';

/** `text` between code points start and end: Array.from walks a string by code points. */
export const cpSlice = (text, start, end) => Array.from(text).slice(start, end).join('');

/** The page's own probability format (one decimal percent), restated so a change is noticed. */
export const percent = (prob) => `${(prob * 100).toFixed(1)}%`;

/**
 * Opens the WebUI in a new page. `problems` collects console errors, uncaught exceptions and
 * Content-Security-Policy violations; `expectClean()` fails the test on any that `allowed` does not
 * match (a test that provokes a 413 expects Chromium's "Failed to load resource" line, nothing else).
 */
export async function openApp(context, url, { allowed = [] } = {}) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  const response = await page.goto(url + '/');
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'] || '', /default-src 'self'/, 'the page is served with its CSP');
  await page.waitForSelector('html[data-app="ready"]');
  await page.waitForSelector('#readiness[data-state="ready"]');
  return {
    page,
    problems,
    async expectClean() {
      const unexpected = problems.filter((p) => !allowed.some((pattern) => pattern.test(p)));
      assert.deepEqual(unexpected, [], 'console errors, page errors or CSP violations');
      await page.close();
    },
  };
}

/**
 * Types `text` and runs recognition (by button, or by the keyboard `shortcut`), waits until the
 * page has drawn the answer, and returns the API's status and JSON body as the browser received it.
 */
export async function recogniseInPage(page, text, { shortcut = null } = {}) {
  await page.fill('#text-input', text);
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/ner' && r.request().method() === 'POST');
  if (shortcut) {
    await page.focus('#text-input');
    await page.keyboard.press(shortcut);
  } else {
    await page.click('#run-btn');
  }
  const response = await answered;
  const body = await response.json();
  await page.waitForSelector('#result-card[aria-busy="false"]');
  return { status: response.status(), body };
}

/**
 * What a highlighted block shows: its full text (notes excluded) and, for each mark, its text, data
 * attributes, and the text before it inside the block (a Range from the block's start).
 */
export function readHighlights(page, selector) {
  return page.$eval(selector, (block) => {
    const clone = block.cloneNode(true);
    for (const note of clone.querySelectorAll('p')) note.remove();
    return {
      text: clone.textContent,
      marks: [...block.querySelectorAll('mark.ent')].map((mark) => {
        const range = document.createRange();
        range.setStart(block, 0);
        range.setEndBefore(mark);
        return {
          index: Number(mark.dataset.index),
          type: mark.dataset.type,
          start: Number(mark.dataset.start),
          end: Number(mark.dataset.end),
          text: mark.textContent,
          before: range.toString(),
        };
      }),
    };
  });
}

/** Asserts a highlighted block shows `text` with exactly `entities` marked, at the right characters. */
export function assertHighlights(shown, text, entities, label) {
  assert.equal(shown.text, text, `${label}: the block shows the text unchanged`);
  assert.equal(shown.marks.length, entities.length, `${label}: one highlight per entity`);
  const byIndex = [...shown.marks].sort((a, b) => a.index - b.index);
  entities.forEach((entity, i) => {
    const mark = byIndex[i];
    const where = `${label}: entity ${i} ${JSON.stringify(entity)}`;
    assert.equal(mark.index, i, where);
    assert.equal(entity.span, cpSlice(text, entity.start, entity.end), `${where}: the API's span is text[start:end] in code points`);
    assert.equal(mark.text, entity.span, `${where}: highlight text`);
    assert.equal(mark.before, cpSlice(text, 0, entity.start), `${where}: everything before the highlight`);
    assert.deepEqual([mark.type, mark.start, mark.end], [entity.type, entity.start, entity.end], where);
  });
}
