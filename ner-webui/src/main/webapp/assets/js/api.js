// The ner-api client. Same origin: in the cluster the Ingress routes /api to ner-api, locally ner-api
// serves this page itself. Every call carries the API key when one is set (apikey.js). Every failure
// becomes an ApiError with a `kind` the page turns into a friendly message; nothing here touches the
// DOM.

import { apiKey } from './apikey.js';

const API = '/api/v1';
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * A failed call: `kind` is one of offline, timeout, unauthorized, not-ready, overloaded, too-long,
 * bad-request, server. `keySent` says whether the call carried an API key (a 401 then means the
 * key was refused, not missing).
 */
export class ApiError extends Error {
  constructor({ kind, status = 0, code = '', message = '', retryAfter = null, keySent = false }) {
    super(message || kind);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.keySent = keySent;
  }
}

function kindOf(status, code) {
  if (status === 401) return 'unauthorized';
  if (status === 413) return 'too-long';
  if (status === 503 && code === 'OVERLOADED') return 'overloaded';
  if (status === 503) return 'not-ready';
  // A gateway with no healthy backend behind it (Ingress, nginx) answers 502 or 504.
  if (status === 502 || status === 504) return 'offline';
  if (status === 429) return 'overloaded';
  if (status >= 400 && status < 500) return 'bad-request';
  return 'server';
}

async function call(method, path, body) {
  const key = apiKey();
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers.Authorization = `Bearer ${key}`;
  const started = performance.now();
  let response;
  try {
    response = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      cache: 'no-store',
    });
  } catch (error) {
    const kind = error && error.name === 'TimeoutError' ? 'timeout' : 'offline';
    throw new ApiError({ kind, message: String(error && error.message ? error.message : error) });
  }
  const latencyMs = performance.now() - started;
  let data = null;
  const text = await response.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null; // a gateway's HTML error page, for instance
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const retry = Number.parseInt(response.headers.get('Retry-After') || '', 10);
    throw new ApiError({
      kind: kindOf(response.status, error.code),
      status: response.status,
      code: typeof error.code === 'string' ? error.code : '',
      message: typeof error.message === 'string' ? error.message : response.statusText,
      retryAfter: Number.isFinite(retry) ? retry : null,
      keySent: key !== null,
    });
  }
  if (data === null || typeof data !== 'object') {
    throw new ApiError({ kind: 'server', status: response.status, message: 'response is not JSON' });
  }
  return { data, latencyMs, raw: text };
}

/** GET /api/v1/models: `{default, models: [model info]}`; also the status poll (503 while loading). */
export function fetchModels() {
  return call('GET', '/models');
}

/** GET /api/v1/dictionary: `{configured, entries, sha256, loadedAt, lastError}`. */
export function fetchDictionary() {
  return call('GET', '/dictionary');
}

/** POST /api/v1/ner for one text; `options` are the optional fields (options.js requestOptions). */
export function recognise(text, options = {}) {
  return call('POST', '/ner', { text, ...options });
}

/** POST /api/v1/ner/batch: results in input order; the same `options` as {@link recognise}. */
export function recogniseBatch(texts, options = {}) {
  return call('POST', '/ner/batch', { texts, ...options });
}
