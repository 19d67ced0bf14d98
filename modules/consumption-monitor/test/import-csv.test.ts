import { Readable } from 'node:stream';
import { expect } from 'chai';
import { csvRows, ImportRequestError } from '../dist/import/import-source.js';

/** Reads `chunks` (each sent as the bytes of a chunk of the upload) as the import does; its rows, or its 422. */
async function read(chunks: (string | Buffer)[]) {
  const rows: { line: number; endpoint: unknown; timestamp: unknown; value: unknown }[] = [];
  try {
    for await (const batch of csvRows(Readable.from(chunks.map((chunk) => Buffer.from(chunk))))) rows.push(...batch);
    return { rows };
  } catch (error) {
    if (!(error instanceof ImportRequestError)) throw error;
    return { rows, status: error.status, message: error.message, details: error.details };
  }
}

/** The CSV of an upload as it arrives: in chunks that cut rows, fields, quotes and characters anywhere. */
describe('consumption monitor: reading an imported CSV', function () {
  it('names each row by the line it starts on, across chunks, empty lines and quoted line breaks', async function () {
    const { rows } = await read([
      '\ufeffEndpoint,Timestamp,Value\r\nR7 PDU A,2026-11-01T00:00:00Z,1\r\n',
      '\r\n"R7 PDU B',
      '\r\n(spare)",2026-11-01T0',
      '0:15:00Z, 2.5 \r\nR7 PDU A,2026-11-01T00:30:00Z,3',
    ]);
    // Line 1 the header (its BOM and the columns' case ignored), 2 a row, 3 empty, 4–5 one row whose quoted name
    // holds a line break, 6 the last row without a final line break.
    expect(rows).to.deep.equal([
      { line: 2, endpoint: 'R7 PDU A', timestamp: '2026-11-01T00:00:00Z', value: '1' },
      { line: 4, endpoint: 'R7 PDU B\r\n(spare)', timestamp: '2026-11-01T00:15:00Z', value: ' 2.5 ' },
      { line: 6, endpoint: 'R7 PDU A', timestamp: '2026-11-01T00:30:00Z', value: '3' },
    ]);
  });

  it('takes the columns in any order, ignores others, and joins a character cut between two chunks', async function () {
    const text = Buffer.from('value,extra,endpoint,timestamp\n4,x,Zähler 1,2026-11-01T00:00:00Z\n');
    const cut = text.indexOf('ä') + 1; // between the two bytes of ä
    const { rows } = await read([text.subarray(0, cut), text.subarray(cut)]);
    expect(rows).to.deep.equal([{ line: 2, endpoint: 'Zähler 1', timestamp: '2026-11-01T00:00:00Z', value: '4' }]);
  });

  it('refuses a header without the columns, a broken quote, an unterminated one and a row without end', async function () {
    expect(await read(['endpoint,time,value\nA,2026-11-01T00:00:00Z,1\n'])).to.include({ status: 422 });
    expect((await read(['endpoint,time,value\n'])).details).to.deep.equal([
      { line: 1, message: 'Missing column: timestamp.' },
    ]);
    const broken = await read(['endpoint,timestamp,value\nA,2026-11-01T00:00:00Z,1\n', 'B,"x"y,2\nC,t,3\n']);
    expect(broken).to.deep.include({ status: 422, message: 'The CSV could not be read.' });
    expect(broken.details).to.deep.equal([{ line: 3, message: 'Trailing quote on quoted field is malformed' }]);
    const unterminated = await read(['endpoint,timestamp,value\nA,t,1\nB,"x,2\n', 'C,t,3\n']);
    expect(unterminated.details).to.deep.equal([{ line: 3, message: 'Quoted field unterminated' }]);
    const endless = await read(['endpoint,timestamp,value\n', 'x'.repeat(40_000), 'x'.repeat(40_000)]);
    expect(endless.details).to.deep.equal([{ line: 2, message: 'A row is longer than 65536 characters.' }]);
    const headless = await read(['x'.repeat(40_000), 'x'.repeat(40_000)]);
    expect(headless.details).to.deep.equal([{ line: 1, message: 'A row is longer than 65536 characters.' }]);
  });

  it('reads an empty upload and a header alone as no rows', async function () {
    expect(await read([''])).to.deep.equal({ rows: [] });
    expect(await read(['endpoint,timestamp,value'])).to.deep.equal({ rows: [] });
  });
});
