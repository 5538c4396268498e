/**
 * A bounds-checked cursor over pickle bytes. Every read checks the remaining length first, so a declared length
 * larger than the input fails before anything is allocated.
 */
import { DBOSSerializationError } from '../errors.ts';

export const PICKLE = 'py_pickle';

export function malformed(reason: string): DBOSSerializationError {
  return new DBOSSerializationError(PICKLE, `malformed Python pickle: ${reason}`);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export class ByteCursor {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #claim(length: number): number {
    if (!Number.isSafeInteger(length) || length < 0 || length > this.remaining) {
      throw malformed(`a length of ${length} at byte ${this.#offset} runs past the end of the input`);
    }
    const start = this.#offset;
    this.#offset += length;
    return start;
  }

  byte(): number {
    return this.#bytes[this.#claim(1)] as number;
  }

  uint16(): number {
    return this.#view.getUint16(this.#claim(2), true);
  }

  int32(): number {
    return this.#view.getInt32(this.#claim(4), true);
  }

  uint32(): number {
    return this.#view.getUint32(this.#claim(4), true);
  }

  /** An unsigned 64-bit length; anything beyond the input is refused by the read that uses it. */
  uint64(): number {
    const start = this.#claim(8);
    const high = this.#view.getUint32(start + 4, true);
    const low = this.#view.getUint32(start, true);
    return high > 0x1fffff ? Number.MAX_SAFE_INTEGER + 1 : high * 2 ** 32 + low;
  }

  float64BigEndian(): number {
    return this.#view.getFloat64(this.#claim(8), false);
  }

  /** A copy, so the decoded value never aliases (or pins) the input buffer. */
  take(length: number): Uint8Array {
    const start = this.#claim(length);
    return this.#bytes.slice(start, start + length);
  }

  utf8(length: number): string {
    const start = this.#claim(length);
    try {
      return strictUtf8.decode(this.#bytes.subarray(start, start + length));
    } catch {
      throw malformed(`invalid UTF-8 text at byte ${start}`);
    }
  }

  /** A protocol 0 text argument: the bytes up to the next newline, as latin-1 (the newline is consumed). */
  line(): string {
    const end = this.#bytes.indexOf(0x0a, this.#offset);
    if (end < 0) throw malformed(`unterminated text argument at byte ${this.#offset}`);
    const start = this.#claim(end - this.#offset + 1);
    return latin1Text(this.#bytes.subarray(start, end));
  }
}

/** Bytes as latin-1 text, in chunks that bound the arguments (not every runtime's TextDecoder knows latin-1). */
export function latin1Text(bytes: Uint8Array): string {
  let text = '';
  for (let at = 0; at < bytes.length; at += 0x8000) text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return text;
}

/** A little-endian two's-complement integer (LONG1/LONG4), as a number when it is a safe integer. */
export function littleEndianInteger(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let hex = '';
  for (let i = bytes.length - 1; i >= 0; i--) hex += (bytes[i] as number).toString(16).padStart(2, '0');
  let value = BigInt(`0x${hex}`);
  if (((bytes[bytes.length - 1] as number) & 0x80) !== 0) value -= 1n << BigInt(bytes.length * 8);
  return narrowInteger(value);
}

export function narrowInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
