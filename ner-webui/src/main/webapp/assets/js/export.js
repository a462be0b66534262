// Batch results as downloadable JSON and CSV. Pure functions, no DOM (unit-tested in node).

/**
 * One record per input line, in input order.
 * @typedef {{line:number, text:string, entities:Array<{type:string,start:number,end:number,span:string,prob:number,source:string}>}} BatchRecord
 */

/**
 * The JSON download: the model that answered (name and version), the options the requests carried
 * (types, minProb, dictionary: what was filtered out), and every line with its entities.
 * @param {{model:string, modelVersion:string, options:object}} answeredBy
 */
export function batchToJson({ model, modelVersion, options }, records) {
  return JSON.stringify({ model, modelVersion, options, results: records }, null, 2) + '\n';
}

export const CSV_HEADER = ['line', 'type', 'start', 'end', 'span', 'prob', 'source'];

/**
 * The CSV download (RFC 4180): one row per entity, `line` is the 1-based input line, `source` who
 * found it (`model` or `dictionary`). It starts with a UTF-8 byte-order mark because spreadsheet
 * programs otherwise misread Chinese text.
 */
export function batchToCsv(records) {
  const rows = [CSV_HEADER];
  for (const record of records) {
    for (const e of record.entities) {
      rows.push([record.line, e.type, e.start, e.end, e.span, e.prob, e.source ?? 'model']);
    }
  }
  return '\uFEFF' + rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value) {
  let text = String(value);
  // A leading =, +, - or @ makes spreadsheets run the cell as a formula (CSV injection).
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = "'" + text;
  return /[",\r\n]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}

/** Parses CSV text produced by {@link batchToCsv} (used by the tests to read a download back). */
export function parseCsv(text) {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && source[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Splits pasted or uploaded text into the lines to recognise, keeping their 1-based line numbers. */
export function linesToRecognise(text) {
  return text
    .split(/\r\n|\r|\n/)
    .map((line, i) => ({ line: i + 1, text: line }))
    .filter((entry) => entry.text.trim() !== '');
}

/**
 * Cuts batch entries into consecutive requests the API accepts: at most `maxTexts` texts and at most
 * `maxChars` code points in all (a single longer text still gets a request of its own, for the API
 * to refuse with a clear error). `length(entry)` counts an entry's code points.
 */
export function chunkBatch(entries, { maxTexts, maxChars = Infinity, length }) {
  const chunks = [];
  let current = [];
  let chars = 0;
  for (const entry of entries) {
    const n = length(entry);
    if (current.length > 0 && (current.length >= maxTexts || chars + n > maxChars)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(entry);
    chars += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
