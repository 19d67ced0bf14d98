import { once } from 'node:events';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { parse } from 'csv-parse';
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
 * `file`, or JSON `{"readings": […]}`. CSV is parsed as a stream (csv-parse), so a file of any size is read in
 * constant memory.
 */
export async function importRows(request: RequestContext): Promise<AsyncIterable<RawRow>> {
  if (request.is('text/csv', 'text/plain')) return csvRows(request.req);
  if (request.is('multipart')) return csvRows(await multipartFile(request));
  if (request.is('json')) return jsonRows(request.request.body);
  throw new ImportRequestError(
    415,
    'Send the readings as CSV (Content-Type: text/csv, or the multipart field "file") or as JSON {"readings": [...]}.',
  );
}

/** CSV rows with the header `endpoint,timestamp,value` (any order, any case), numbered by their line. */
export async function* csvRows(input: Readable): AsyncGenerator<RawRow> {
  const parser = input.pipe(
    parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true, columns: header }),
  );
  input.once('error', (error) => parser.destroy(error));
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>)
      yield { line: info.lines, endpoint: record.endpoint, timestamp: record.timestamp, value: record.value };
  } catch (error) {
    if (error instanceof ImportRequestError) throw error;
    const line = (error as { lines?: number }).lines ?? 0;
    const message = error instanceof Error ? error.message : String(error);
    throw new ImportRequestError(422, 'The CSV could not be read.', [{ line, message }]);
  }
}

function header(names: string[]): string[] {
  const normalized = names.map((name) => name.trim().toLowerCase());
  const missing = columns.filter((column) => !normalized.includes(column));
  if (missing.length > 0)
    throw new ImportRequestError(422, 'The CSV header must name the columns endpoint, timestamp and value.', [
      { line: 1, message: `Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.` },
    ]);
  return normalized;
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

/** The readings of a JSON body, numbered from 1. */
async function* jsonRows(body: unknown): AsyncGenerator<RawRow> {
  const readings = (body as { readings?: unknown } | undefined)?.readings;
  if (!Array.isArray(readings))
    throw new ImportRequestError(
      422,
      'The JSON body must be {"readings": [{"endpoint", "timestamp", "value"}, ...]}.',
      [{ line: 0, message: 'readings: an array of readings is required.' }],
    );
  for (const [index, reading] of readings.entries()) {
    const item = (reading ?? {}) as Record<string, unknown>;
    yield { line: index + 1, endpoint: item.endpoint, timestamp: item.timestamp, value: item.value };
  }
}
