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
 * `ready: false` does not wait for the backend to be shown ready (a server that wants an API key);
 * `beforeLoad(page)` runs before the page loads (to watch its first requests, say).
 */
export async function openApp(context, url, { allowed = [], ready = true, beforeLoad = null } = {}) {
  const page = await context.newPage();
  if (beforeLoad) await beforeLoad(page);
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
  if (ready) await page.waitForSelector('#readiness[data-state="ready"]');
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

/** Resolves with the next request of the page to `pathname` (and `method`) once it is answered. */
export function nextApiResponse(page, pathname, method = null) {
  return page.waitForResponse((r) => new URL(r.url()).pathname === pathname && (method === null || r.request().method() === method));
}

/**
 * Types `text` and runs recognition (by button, or by the keyboard `shortcut`), waits until the
 * page has drawn the answer, and returns the API's status and JSON body as the browser received it.
 */
export async function recogniseInPage(page, text, { shortcut = null } = {}) {
  await page.fill('#text-input', text);
  const answered = nextApiResponse(page, '/api/v1/ner', 'POST');
  if (shortcut) {
    await page.focus('#text-input');
    await page.keyboard.press(shortcut);
  } else {
    await page.click('#run-btn');
  }
  const response = await answered;
  const body = await response.json();
  await page.waitForSelector('#result-card[aria-busy="false"]');
  return { status: response.status(), body, sent: response.request().postDataJSON(), response };
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

/**
 * WCAG contrast ratios of text on the page, as [what, ratio] pairs: `composited` (every match)
 * against the background colours behind it, its own and its ancestors', composited; `tagsOnPanel`
 * (every match) with its own translucent background over the cards' lightest gradient stop;
 * `onPanel` (first match of each) against that stop, for muted labels on the cards.
 */
export function contrastReport(page, { composited = [], tagsOnPanel = [], onPanel = [] }) {
  return page.evaluate(
    ({ composited, tagsOnPanel, onPanel }) => {
      const parse = (css) => {
        const m = css.match(/rgba?\(([^)]+)\)/);
        if (!m) throw new Error(`unexpected colour ${css}`);
        const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
        return { r, g, b, a };
      };
      const over = (top, bottom) => ({
        r: top.r * top.a + bottom.r * (1 - top.a),
        g: top.g * top.a + bottom.g * (1 - top.a),
        b: top.b * top.a + bottom.b * (1 - top.a),
        a: 1,
      });
      // The colour behind an element: its own and its ancestors' background colours, composited.
      const behind = (el) => {
        const layers = [];
        for (let node = el; node; node = node.parentElement) {
          const c = parse(getComputedStyle(node).backgroundColor);
          if (c.a > 0) layers.push(c);
          if (c.a === 1) break;
        }
        return layers.reverse().reduce((acc, c) => over(c, acc), { r: 0, g: 0, b: 0, a: 1 });
      };
      const lum = ({ r, g, b }) => {
        const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
      const hex = getComputedStyle(document.documentElement).getPropertyValue('--panel-2').trim();
      const panel = parse(hex.replace(/^#(..)(..)(..)$/, (_, r, g, b) => `rgb(${parseInt(r, 16)}, ${parseInt(g, 16)}, ${parseInt(b, 16)})`));
      const color = (el) => parse(getComputedStyle(el).color);
      const checks = [];
      for (const selector of composited) {
        for (const el of document.querySelectorAll(selector)) checks.push([`${selector} "${el.textContent.trim().slice(0, 12)}"`, ratio(color(el), behind(el))]);
      }
      for (const selector of tagsOnPanel) {
        for (const el of document.querySelectorAll(selector)) {
          checks.push([`${selector} "${el.textContent.trim().slice(0, 12)}"`, ratio(color(el), over(parse(getComputedStyle(el).backgroundColor), panel))]);
        }
      }
      for (const selector of onPanel) {
        const el = document.querySelector(selector);
        if (!el) throw new Error(`nothing matches ${selector}`);
        checks.push([selector, ratio(color(el), panel)]);
      }
      return checks;
    },
    { composited, tagsOnPanel, onPanel },
  );
}

/** Fails on any [what, ratio] pair under WCAG AA's 4.5 for normal text. */
export function assertContrast(report) {
  for (const [what, ratio] of report) assert.ok(ratio >= 4.5, `${what}: contrast ${ratio.toFixed(2)} < 4.5`);
}
