/**
 * Appends ASCII straight into a Buffer. Kline pages are ~170 kB of digits; building them as JS
 * strings cost several ms per page in concatenation, flattening and GC, this costs well under one.
 */

const DOT = 0x2e;
const ZERO = 0x30;
const TEN_POW_8 = 100_000_000;
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];
const DIGIT_PAIRS = Buffer.from(
  Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''),
  'latin1',
);

function digitCount(v: number): number {
  if (v < 10_000) return v < 100 ? (v < 10 ? 1 : 2) : v < 1_000 ? 3 : 4;
  return v < 1_000_000 ? (v < 100_000 ? 5 : 6) : v < 10_000_000 ? 7 : 8;
}

/** Growable Buffer of ASCII output with fast number formatting. */
export class AsciiWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  /** Guarantees room for `bytes` more bytes. */
  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  /** One byte; callers must have reserved room. */
  byte(code: number): void {
    this.buf[this.pos++] = code;
  }

  /** A short ASCII literal; callers must have reserved room. */
  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.buf[this.pos++] = text.charCodeAt(i);
  }

  /** A safe integer (may be negative); callers must have reserved 17 bytes. */
  int(value: number): void {
    if (value < 0) {
      this.buf[this.pos++] = 0x2d;
      value = -value;
    }
    if (value < TEN_POW_8) {
      this.smallInt(value, 0);
      return;
    }
    // Split so both halves fit int32 arithmetic, which is several times faster than float maths.
    const high = Math.floor(value / TEN_POW_8);
    this.smallInt(high, 0);
    this.smallInt(value - high * TEN_POW_8, 8);
  }

  /** `units` × 10^-decimals printed with exactly 8 decimals, e.g. "16541.23000000". */
  fixed8(units: number, decimals: number): void {
    const scale = POW10[decimals] as number;
    const whole = Math.floor(units / scale);
    this.int(whole);
    this.buf[this.pos++] = DOT;
    if (decimals > 0) this.smallInt(units - whole * scale, decimals);
    for (let i = decimals; i < 8; i++) this.buf[this.pos++] = ZERO;
  }

  /** The bytes written so far (shares memory; do not write after handing it out). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Writes 0 <= value < 1e8, left-padded with zeros to `minDigits`. */
  private smallInt(value: number, minDigits: number): void {
    let v = value | 0;
    const digits = Math.max(minDigits, digitCount(v));
    const buf = this.buf;
    const start = this.pos;
    let p = start + digits;
    this.pos = p;
    // Two digits per division: digit emission is the hottest loop of a kline page.
    while (v >= 100) {
      const q = (v / 100) | 0;
      const pair = (v - q * 100) << 1;
      buf[--p] = DIGIT_PAIRS[pair + 1] as number;
      buf[--p] = DIGIT_PAIRS[pair] as number;
      v = q;
    }
    if (v >= 10) {
      const pair = v << 1;
      buf[--p] = DIGIT_PAIRS[pair + 1] as number;
      buf[--p] = DIGIT_PAIRS[pair] as number;
    } else {
      buf[--p] = ZERO + v;
    }
    while (p > start) buf[--p] = ZERO;
  }
}
