/**
 * Rows in PostgreSQL's binary COPY format (PostgreSQL's manual, COPY, "Binary Format"), written straight into
 * bytes: no number or time is turned into text in node and parsed back by PostgreSQL, and no string is built per
 * row. A large import writes millions of ledger rows; as text, building them took most of node's time and
 * PostgreSQL's parsing of them a good part of its own.
 *
 * A COPY sends `COPY_BINARY_HEADER`, the rows of any number of `BinaryRows`, then `COPY_BINARY_TRAILER`.
 */
export const COPY_BINARY_HEADER = Uint8Array.of(
  ...[0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00], // "PGCOPY\n\377\r\n\0"
  ...[0, 0, 0, 0], // flags: no OIDs
  ...[0, 0, 0, 0], // no header extension
);
/** A field count of -1: the end of the data. */
export const COPY_BINARY_TRAILER = Uint8Array.of(0xff, 0xff);

/** PostgreSQL's timestamps count microseconds from 2000-01-01 00:00 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;
const encoder = new TextEncoder();

/** A uuid's 16 bytes, as binary COPY sends it (parse an endpoint's id once, write it in every row). */
export function uuidBytes(id: string): Uint8Array {
  const hex = id.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`${id} is not a uuid`);
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

/** Rows being written, field after field in the table's column order as named in the COPY. */
export class BinaryRows {
  #bytes = new Uint8Array(64 * 1024);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  /** Starts a row of `fields` fields. */
  row(fields: number): this {
    this.#reserve(2);
    this.#view.setInt16(this.#length, fields);
    this.#length += 2;
    return this;
  }

  uuid(bytes: Uint8Array): this {
    this.#field(16).set(bytes, this.#length - 16);
    return this;
  }

  timestamptz(epochMs: number): this {
    return this.int64((epochMs - PG_EPOCH_MS) * 1000);
  }

  float8(value: number): this {
    this.#field(8);
    this.#view.setFloat64(this.#length - 8, value);
    return this;
  }

  /** A bigint; exact for the safe integers, which is all a JavaScript number holds exactly. */
  int64(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an integer a bigint column can take`);
    const high = Math.floor(value / TWO_32);
    this.#field(8);
    this.#view.setInt32(this.#length - 8, high);
    this.#view.setUint32(this.#length - 4, value - high * TWO_32);
    return this;
  }

  int32(value: number): this {
    this.#field(4);
    this.#view.setInt32(this.#length - 4, value);
    return this;
  }

  bool(value: boolean): this {
    this.#field(1);
    this.#bytes[this.#length - 1] = value ? 1 : 0;
    return this;
  }

  /** A text field, or NULL. */
  text(value: string | null): this {
    if (value === null) return this.#null();
    this.#reserve(4 + value.length * 3);
    const { written } = encoder.encodeInto(value, this.#bytes.subarray(this.#length + 4));
    this.#view.setInt32(this.#length, written);
    this.#length += 4 + written;
    return this;
  }

  /** The rows written, in memory of their own (so they can be handed to another thread). */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.#bytes.slice(0, this.#length);
  }

  #null(): this {
    this.#reserve(4);
    this.#view.setInt32(this.#length, -1);
    this.#length += 4;
    return this;
  }

  /** Writes a field's length and makes room for its bytes, which end at the new length. */
  #field(size: number): Uint8Array {
    this.#reserve(4 + size);
    this.#view.setInt32(this.#length, size);
    this.#length += 4 + size;
    return this.#bytes;
  }

  #reserve(size: number): void {
    if (this.#length + size <= this.#bytes.length) return;
    let capacity = this.#bytes.length * 2;
    while (capacity < this.#length + size) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }
}
