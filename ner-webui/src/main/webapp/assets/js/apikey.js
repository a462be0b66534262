// The API key a server with `ner.auth.api-keys` asks for. It lives in this tab's sessionStorage
// (gone when the tab closes, never in localStorage) and in memory when storage is disabled;
// api.js sends it on every /api call as `Authorization: Bearer <key>`.

const STORAGE_KEY = 'ner-webui.apiKey';

let current = read();

function read() {
  try {
    return cleanApiKey(sessionStorage.getItem(STORAGE_KEY) || '');
  } catch {
    return null; // storage disabled (or no browser: the unit tests import this file into node)
  }
}

/**
 * The key as typed, trimmed, or null when it is empty or cannot go in an HTTP header: a key is
 * visible ASCII without spaces (fetch refuses other header characters outright).
 */
export function cleanApiKey(input) {
  const key = String(input).trim();
  return /^[\x21-\x7e]+$/.test(key) ? key : null;
}

/** The key in force, or null. */
export function apiKey() {
  return current;
}

/** Keeps `key` (already cleaned) for this tab. */
export function storeApiKey(key) {
  current = key;
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // storage disabled: the key lasts for this page only
  }
}

/** Forgets the key (cleared by the user, or refused by the server). */
export function forgetApiKey() {
  current = null;
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}
