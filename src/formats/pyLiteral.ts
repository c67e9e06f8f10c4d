/**
 * A strict parser for the Python literal subset that numpy writes in `.npy` headers: dicts, tuples, lists,
 * strings, integers, True/False/None. It is data only: nothing is evaluated, names other than the three
 * constants are rejected, and depth and length are bounded so a hostile header cannot exhaust the stack.
 */
import { FormatError } from '../engine/errors';

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

const MAX_DEPTH = 32;

export function parsePyLiteral(text: string, what: string): PyValue {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new FormatError(`${what}: ${msg} at character ${pos} of "${text.length > 120 ? text.slice(0, 120) + '…' : text}".`);
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skip();
    const c = text[pos];
    if (c === '{') return dict(depth);
    if (c === '(' || c === '[') return sequence(depth, c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return str();
    if (c !== undefined && /[-+0-9]/.test(c)) return int();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos, pos + 64))?.[0];
    if (word === 'True' || word === 'False' || word === 'None') {
      pos += word.length;
      return word === 'None' ? null : word === 'True';
    }
    return fail(word ? `unexpected name '${word}' (only literals are accepted)` : 'expected a value');
  };
  const str = (): string => {
    const quote = text[pos++];
    let out = '';
    while (pos < text.length && text[pos] !== quote) {
      if (text[pos] === '\\') {
        const next = text[pos + 1];
        const esc: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"' };
        if (next === undefined || !(next in esc)) fail('unsupported escape in string');
        out += esc[next];
        pos += 2;
      } else {
        out += text[pos++];
      }
    }
    if (text[pos] !== quote) fail('unterminated string');
    pos++;
    return out;
  };
  const int = (): number => {
    const m = /^[-+]?[0-9]+L?/.exec(text.slice(pos, pos + 40));
    if (!m) return fail('expected an integer');
    pos += m[0].length;
    if (m[0].length >= 40 || /^[-+]?0[0-9]/.test(m[0])) fail(`malformed integer '${m[0]}'`);
    return Number(m[0].replace('L', ''));
  };
  const sequence = (depth: number, close: string): PyValue[] => {
    pos++;
    const items: PyValue[] = [];
    skip();
    while (text[pos] !== close) {
      items.push(value(depth + 1));
      skip();
      if (text[pos] === ',') { pos++; skip(); continue; }
      if (text[pos] !== close) fail(`expected ',' or '${close}'`);
    }
    pos++;
    return items;
  };
  const dict = (depth: number): { [key: string]: PyValue } => {
    pos++;
    const out: { [key: string]: PyValue } = Object.create(null);
    skip();
    while (text[pos] !== '}') {
      skip();
      if (text[pos] !== "'" && text[pos] !== '"') fail('expected a string key');
      const key = str();
      skip();
      if (text[pos] !== ':') fail("expected ':'");
      pos++;
      if (key in out) fail(`duplicate key '${key}'`);
      out[key] = value(depth + 1);
      skip();
      if (text[pos] === ',') { pos++; skip(); continue; }
      if (text[pos] !== '}') fail("expected ',' or '}'");
    }
    pos++;
    return out;
  };
  const result = value(0);
  skip();
  if (pos !== text.length) fail('unexpected text after the value');
  return result;
}
