import { once } from 'node:events';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import Papa, { type ParseResult } from 'papaparse';
import type { RequestContext } from 'nxforge/module';
import type { RawRow } from './import-row.js';

/** A request that does not carry readings the import can read: answered 400/415/422 with `details`. */
export class ImportRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { line: number; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ImportRequestError';
  }
}

const columns = ['endpoint', 'timestamp', 'value'] as const;

/**
 * The rows of an import request, as they arrive: a CSV body (`text/csv`), a CSV file in the multipart field
 * `file`, or JSON `{"readings": […]}`, in batches of rows.
 */
export async function importRows(request: RequestContext): Promise<AsyncIterable<RawRow[]>> {
  if (request.is('text/csv', 'text/plain')) return csvRows(request.req);
  if (request.is('multipart')) return csvRows(await multipartFile(request));
  if (request.is('json')) return jsonRows(request.request.body);
  throw new ImportRequestError(
    415,
    'Send the readings as CSV (Content-Type: text/csv, or the multipart field "file") or as JSON {"readings": [...]}.',
  );
}

/**
 * CSV rows with the header `endpoint,timestamp,value` (any order, any case), numbered by their line, in batches:
 * one per chunk of the input as it arrives, so a file of any size is read in constant memory and a row costs no
 * promise of its own (papaparse's parser, fed chunk by chunk, carries an unfinished row over to the next).
 */
export async function* csvRows(input: Readable): AsyncGenerator<RawRow[]> {
  input.setEncoding('utf8'); // a character split between two chunks is joined before it is parsed
  input.once('error', () => undefined); // the iteration below throws it
  const csv = new CsvLines();
  // A file refused at its first lines is not destroyed but drained: the request stays whole, so its answer (the
  // 422 saying why) is sent, and the connection can be kept.
  const chunks = input.iterator({ destroyOnReturn: false }) as AsyncIterable<string>;
  try {
    for await (const chunk of chunks) yield csv.rows(chunk, false);
    yield csv.rows('', true);
  } catch (error) {
    input.resume();
    if (error instanceof ImportRequestError) throw error;
    throw unreadable(csv.line, String(error));
  }
}

/** Longer than any row of an endpoint's name or id, a time and a value: a file without line breaks, say. */
const maxRowChars = 65_536;

/** The rows of a CSV text given in chunks, with the line each starts on and the header's columns. */
class CsvLines {
  /** The line the next row starts on. */
  line = 1;
  #rest = '';
  #newline: '\n' | '\r\n' | '\r' | undefined;
  #columns: Record<(typeof columns)[number], number> | undefined;

  rows(chunk: string, last: boolean): RawRow[] {
    let text = this.#rest + chunk;
    if (this.#newline === undefined) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (!last && !/[\r\n]/.test(text) && text.length <= maxRowChars) {
        this.#rest = text; // the first line is not whole yet
        return [];
      }
      this.#newline = newlineOf(text);
    }
    const parsed = new Papa.Parser({ delimiter: ',', newline: this.#newline }).parse(text, 0, !last) as ParseResult<
      string[]
    >;
    this.#rest = last ? '' : text.slice(parsed.meta.cursor);
    if (this.#rest.length > maxRowChars)
      throw unreadable(this.line + parsed.data.length, `A row is longer than ${maxRowChars} characters.`);
    const [error] = parsed.errors;
    const rows: RawRow[] = [];
    for (const [index, fields] of parsed.data.entries()) {
      const line = this.line;
      this.line += 1 + newlinesIn(fields, this.#newline);
      if (error?.row === index) throw unreadable(line, error.message);
      if (fields.length === 1 && fields[0]!.trim() === '') continue; // an empty line
      if (!this.#columns) {
        this.#columns = header(fields);
        continue;
      }
      const { endpoint, timestamp, value } = this.#columns;
      rows.push({ line, endpoint: fields[endpoint], timestamp: fields[timestamp], value: fields[value] });
    }
    if (error && (error.row === undefined || error.row >= parsed.data.length))
      throw unreadable(this.line, error.message);
    return rows;
  }
}

/** A 422 for a CSV that is not well formed at `line`. */
function unreadable(line: number, message: string): ImportRequestError {
  return new ImportRequestError(422, 'The CSV could not be read.', [{ line, message }]);
}

/** The line break of a CSV text: that of its first line. */
function newlineOf(text: string): '\n' | '\r\n' | '\r' {
  const at = text.search(/[\r\n]/);
  if (at < 0 || text[at] === '\n') return '\n';
  return text[at + 1] === '\n' ? '\r\n' : '\r';
}

/** How many line breaks the quoted fields of a row hold (a row of one line holds none). */
function newlinesIn(fields: readonly string[], newline: string): number {
  let count = 0;
  for (const field of fields)
    for (let at = field.indexOf(newline); at >= 0; at = field.indexOf(newline, at + 1)) count++;
  return count;
}

/** The columns of the header row, by name, or a 422 naming the ones it lacks. */
function header(names: readonly string[]): Record<(typeof columns)[number], number> {
  const normalized = names.map((name) => name.trim().toLowerCase());
  const missing = columns.filter((column) => !normalized.includes(column));
  if (missing.length > 0)
    throw new ImportRequestError(422, 'The CSV header must name the columns endpoint, timestamp and value.', [
      { line: 1, message: `Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.` },
    ]);
  const [endpoint, timestamp, value] = columns.map((column) => normalized.indexOf(column)) as [number, number, number];
  return { endpoint, timestamp, value };
}

/** The stream of the multipart field `file` (other fields are skipped). */
async function multipartFile(request: RequestContext): Promise<Readable> {
  const parser = busboy({ headers: request.req.headers, limits: { files: 1 } });
  const file = new Promise<Readable>((resolve, reject) => {
    parser.on('file', (name, stream) => (name === 'file' ? resolve(stream) : stream.resume()));
    parser.on('error', reject);
    parser.on('close', () =>
      reject(new ImportRequestError(422, 'Send the CSV file in the multipart field "file".', [])),
    );
  });
  request.req.pipe(parser);
  return Promise.race([file, once(request.req, 'error').then(([error]) => Promise.reject(error))]);
}

/** The readings of a JSON body, numbered from 1, as one batch. */
async function* jsonRows(body: unknown): AsyncGenerator<RawRow[]> {
  const readings = (body as { readings?: unknown } | undefined)?.readings;
  if (!Array.isArray(readings))
    throw new ImportRequestError(
      422,
      'The JSON body must be {"readings": [{"endpoint", "timestamp", "value"}, ...]}.',
      [{ line: 0, message: 'readings: an array of readings is required.' }],
    );
  yield readings.map((reading: unknown, index) => {
    const item = (reading ?? {}) as Record<string, unknown>;
    return { line: index + 1, endpoint: item.endpoint, timestamp: item.timestamp, value: item.value };
  });
}
