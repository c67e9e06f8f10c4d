/**
 * One tokenizer for JSON and for the Python-like text that numpy, PyTorch and TensorFlow print. It works on
 * bytes fed in windows (`push`), so a 50 MB JSON file is tokenized with a few MB of memory, and `next()` is
 * synchronous: callers keep their state in explicit stacks and never recurse, whatever the nesting depth.
 *
 * `next()` returns null when the window ends inside a token and more bytes are needed; the token is then
 * re-read from its start after the next `push`.
 */
import { FormatError } from '../engine/errors';

export type TokenKind = '[' | ']' | '{' | '}' | '(' | ')' | ',' | ':' | '=' | '<' | '>'
  | 'number' | 'string' | 'name' | '...' | 'eof';

/** Numbers and names longer than this are not numbers or names anyone writes: refuse rather than buffer. */
const MAX_SHORT_TOKEN = 400;
/** Strings (keys, dtype names, safetensors metadata) are bounded so a missing quote cannot buffer a whole file. */
export const MAX_STRING_BYTES = 1 << 20;

const PUNCT: Record<number, TokenKind> = {
  0x5b: '[', 0x5d: ']', 0x7b: '{', 0x7d: '}', 0x28: '(', 0x29: ')', 0x2c: ',', 0x3a: ':', 0x3d: '=', 0x3c: '<', 0x3e: '>',
};

const NON_FINITE: Record<string, number> = {
  nan: NaN, NaN: NaN, inf: Infinity, Infinity: Infinity,
};

const ESCAPES: Record<number, string> = {
  0x6e: '\n', 0x74: '\t', 0x72: '\r', 0x62: '\b', 0x66: '\f', 0x2f: '/', 0x5c: '\\', 0x27: "'", 0x22: '"', 0x30: '\0',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x0b;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}
function isNamePart(c: number): boolean {
  return isNameStart(c) || isDigit(c) || c === 0x2e;
}

/** Short ASCII runs to a string; a loop beats String.fromCharCode(...spread) by far for tokens this short. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The value of a decimal literal without building its string when that is exact: with at most 15 significant
 * digits the digits form an exact integer M, and M·10^k or M/10^k with |k| <= 22 is one correctly rounded
 * operation on exact operands (Clinger's fast path). Otherwise undefined, and Number(text) decides.
 */
function fastDecimal(b: Uint8Array, start: number, end: number): number | undefined {
  let p = start;
  const negative = b[p] === 0x2d;
  if (negative || b[p] === 0x2b) p++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let seenPoint = false;
  for (; p < end; p++) {
    const c = b[p];
    if (c === 0x2e) {
      seenPoint = true;
      continue;
    }
    if (c < 0x30 || c > 0x39) break;
    if (mantissa === 0 && c === 0x30) {
      if (seenPoint) scale--;
      continue; // leading zeros are not significant
    }
    if (++digits > 15) return undefined;
    mantissa = mantissa * 10 + (c - 0x30);
    if (seenPoint) scale--;
  }
  if (p < end) {
    // exponent: [eE][+-]digits
    p++;
    const expNegative = b[p] === 0x2d;
    if (expNegative || b[p] === 0x2b) p++;
    let exp = 0;
    for (; p < end; p++) {
      exp = exp * 10 + (b[p] - 0x30);
      if (exp > 400) return undefined;
    }
    scale += expNegative ? -exp : exp;
  }
  if (scale < -22 || scale > 22) return undefined;
  const magnitude = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
  return negative ? -magnitude : magnitude;
}

export class Lexer {
  private buf = new Uint8Array(0);
  private pos = 0;
  /** Absolute offset of buf[0] in the whole input. */
  private base: number;
  private ended = false;

  kind: TokenKind = 'eof';
  /** Absolute offsets of the current token. */
  start = 0;
  end = 0;
  /** Buffer span of the current number token, for `text` on demand. */
  private numberStart = 0;
  private numberEnd = 0;
  private textValue: string | undefined = '';

  /** 'number': the literal as written; 'name': the identifier (dots included); 'string': the decoded value. */
  get text(): string {
    if (this.textValue === undefined) this.textValue = latin1(this.buf, this.numberStart, this.numberEnd);
    return this.textValue;
  }

  /** The digits of an integer literal whose value a float64 cannot hold exactly (beyond 2^53), else undefined. */
  bigIntegerText(): string | undefined {
    return this.kind === 'number' && this.isInteger && Math.abs(this.value) >= 2 ** 53 ? this.text : undefined;
  }
  /** 'number': its value (nan and inf spellings included). */
  value = 0;
  /** 'number': written as an integer (no point, exponent, nan or inf), so 64-bit values can be kept exact. */
  isInteger = false;

  /**
   * `what` names the input in messages ("tensors.json", "the selection"); `unit` is what an offset counts;
   * `origin` is the absolute offset of the first byte pushed.
   */
  constructor(private readonly what: string, private readonly unit: 'byte' | 'character' = 'byte', origin = 0) {
    this.base = origin;
  }

  /** Appends input; `eof` says no more will come. The lexer keeps its own copy. */
  push(bytes: Uint8Array, eof: boolean): void {
    const rest = this.buf.length - this.pos;
    const next = new Uint8Array(rest + bytes.length);
    next.set(this.buf.subarray(this.pos));
    next.set(bytes, rest);
    this.base += this.pos;
    this.buf = next;
    this.pos = 0;
    this.ended = eof;
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Throws a FormatError that names the input and the place first, so a message may hold whole sentences. */
  fail(message: string, at = this.start): never {
    throw new FormatError(`${this.what}, ${this.unit} ${at}: ${message}${/[.!?]$/.test(message) ? '' : '.'}`);
  }

  /** Reads the next token into `kind`/`start`/`end`/`text`/`value`; null when more input is needed first. */
  next(): TokenKind | null {
    const b = this.buf;
    const n = b.length;
    let p = this.pos;
    while (p < n && isSpace(b[p])) p++;
    this.pos = p;
    this.start = this.base + p;
    if (p >= n) {
      if (!this.ended) return null;
      this.end = this.start;
      return (this.kind = 'eof');
    }
    const c = b[p];
    const punct = PUNCT[c];
    if (punct) {
      this.pos = p + 1;
      this.end = this.start + 1;
      return (this.kind = punct);
    }
    if (c === 0x22 || c === 0x27) return this.string(c);
    if (isDigit(c) || c === 0x2d || c === 0x2b || c === 0x2e) return this.numberLike();
    if (isNameStart(c)) return this.name(p, p, '');
    return this.fail(`unexpected character ${describeByte(c)}`);
  }

  /** Ends a short token at `end` (exclusive, in buf); null if the window ended inside it. */
  private shortEnd(from: number, accept: (c: number) => boolean): number | null {
    const b = this.buf;
    let p = from;
    while (p < b.length && accept(b[p])) {
      p++;
      if (p - this.pos > MAX_SHORT_TOKEN) this.fail(`a token longer than ${MAX_SHORT_TOKEN} characters`);
    }
    if (p >= b.length && !this.ended) return null;
    return p;
  }

  private name(p: number, nameStart: number, sign: string): TokenKind | null {
    const end = this.shortEnd(nameStart, isNamePart);
    if (end === null) return null;
    const word = latin1(this.buf, nameStart, end);
    this.pos = end;
    this.end = this.base + end;
    const special = NON_FINITE[word];
    if (special !== undefined) {
      this.textValue = sign + word;
      this.value = sign === '-' ? -special : special;
      this.isInteger = false;
      return (this.kind = 'number');
    }
    if (sign) this.fail(`'${sign}' before the name '${word}'`, this.base + p);
    this.textValue = word;
    return (this.kind = 'name');
  }

  private numberLike(): TokenKind | null {
    const b = this.buf;
    const p = this.pos;
    if (p + 3 > b.length && !this.ended) return null;
    if (b[p] === 0x2e && b[p + 1] === 0x2e && b[p + 2] === 0x2e) {
      this.pos = p + 3;
      this.end = this.base + p + 3;
      return (this.kind = '...');
    }
    let q = p;
    const sign = b[q] === 0x2d ? '-' : b[q] === 0x2b ? '+' : '';
    if (sign) q++;
    if (q < b.length && isNameStart(b[q])) return this.name(p, q, sign);
    // [digits][.digits][e[+-]digits], with at least one digit before or after the point
    const intEnd = this.shortEnd(q, isDigit);
    if (intEnd === null) return null;
    let end = intEnd;
    let integer = true;
    let digits = end - q;
    if (b[end] === 0x2e) {
      const fracEnd = this.shortEnd(end + 1, isDigit);
      if (fracEnd === null) return null;
      digits += fracEnd - end - 1;
      end = fracEnd;
      integer = false;
    }
    if (digits === 0) return this.fail(`a malformed number '${latin1(b, p, Math.min(b.length, end + 1))}'`);
    if (b[end] === 0x65 || b[end] === 0x45) {
      let e = end + 1;
      if (e >= b.length && !this.ended) return null;
      if (b[e] === 0x2d || b[e] === 0x2b) e++;
      const expEnd = this.shortEnd(e, isDigit);
      if (expEnd === null) return null;
      if (expEnd === e) return this.fail(`a malformed exponent in '${latin1(b, p, expEnd)}'`);
      end = expEnd;
      integer = false;
    }
    if (end < b.length && isNamePart(b[end])) {
      // 1j, 0x1f, 1_000, 3L, 1.2.3: valid Python perhaps, but not a plain real number
      return this.fail(`a number followed by '${String.fromCharCode(b[end])}' ('${latin1(b, p, end + 1)}')`);
    }
    this.numberStart = p;
    this.numberEnd = end;
    this.textValue = undefined;
    this.value = fastDecimal(b, p, end) ?? Number(this.text);
    this.isInteger = integer;
    this.pos = end;
    this.end = this.base + end;
    return (this.kind = 'number');
  }

  private string(quote: number): TokenKind | null {
    const b = this.buf;
    const open = this.pos;
    let p = open + 1;
    let plain = true;
    while (p < b.length && b[p] !== quote) {
      if (b[p] === 0x5c) {
        plain = false;
        p++;
      }
      p++;
      if (p - open > MAX_STRING_BYTES) this.fail(`a string longer than ${MAX_STRING_BYTES} bytes (or a missing closing quote)`);
    }
    if (p >= b.length) {
      if (!this.ended) return null;
      return this.fail('an unterminated string');
    }
    this.textValue = plain ? this.decodeUtf8(open + 1, p) : this.unescape(open + 1, p);
    this.pos = p + 1;
    this.end = this.base + p + 1;
    return (this.kind = 'string');
  }

  private decodeUtf8(start: number, end: number): string {
    try {
      return utf8.decode(this.buf.subarray(start, end));
    } catch {
      return this.fail('a string that is not valid UTF-8');
    }
  }

  private unescape(start: number, end: number): string {
    const b = this.buf;
    let out = '';
    let run = start;
    for (let p = start; p < end; p++) {
      if (b[p] !== 0x5c) continue;
      out += this.decodeUtf8(run, p);
      const e = b[p + 1];
      if (e === 0x75 || e === 0x78) {
        const width = e === 0x75 ? 4 : 2; // \uXXXX (JSON, Python) or \xNN (Python)
        const hex = latin1(b, p + 2, Math.min(end, p + 2 + width));
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) this.fail(`a malformed escape '\\${String.fromCharCode(e)}${hex}'`, this.base + p);
        out += String.fromCharCode(parseInt(hex, 16));
        p += 1 + width;
      } else {
        const ch = ESCAPES[e];
        if (ch === undefined) this.fail(`an unsupported escape '\\${String.fromCharCode(e)}'`, this.base + p);
        out += ch;
        p += 1;
      }
      run = p + 1;
    }
    return out + this.decodeUtf8(run, end);
  }
}

export function describeByte(c: number): string {
  return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `0x${c.toString(16).padStart(2, '0')}`;
}
