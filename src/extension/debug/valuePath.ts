/**
 * The only expressions NormScope sends to a debugger: one name followed by attribute and subscript steps, such as
 * `act`, `self.bn.running_mean`, `acts['conv1'][0]` or `x[:, 0, ::2]`. They are parsed here into data; the
 * programs that run in the debuggee walk that data with getattr / [] and never compile anything the user wrote
 * (pythonProgram.ts, javascriptProgram.ts). Anything else (calls, operators, statements, escapes, newlines) is
 * refused with a message that says how to inspect a computed value instead.
 */
import { UserError } from '../../engine/errors';

export type DebugLanguage = 'python' | 'javascript';

export type IndexItem =
  | { kind: 'int'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number | null }
  | { kind: 'ellipsis' };

export type PathStep =
  | { kind: 'attr'; name: string }
  /** `tuple`: Python's `x[0,]` and `x[0, 1]` index with a tuple, `x[0]` with the item itself. */
  | { kind: 'index'; items: IndexItem[]; tuple: boolean };

export interface ValuePath {
  root: string;
  steps: PathStep[];
}

/** Longer selections are not a variable reference; refusing early keeps messages and requests small. */
const MAX_EXPRESSION_CHARS = 1000;

const PYTHON_KEYWORDS = new Set(['False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class',
  'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is',
  'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield']);

/** JavaScript reserved words; `this` is allowed as the root (the paused frame's receiver). */
const JAVASCRIPT_RESERVED = new Set(['await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger',
  'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if',
  'implements', 'import', 'in', 'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected',
  'public', 'return', 'static', 'super', 'switch', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with',
  'yield']);

const PYTHON_NAME = /^[\p{XID_Start}_][\p{XID_Continue}]*/u;
const JAVASCRIPT_NAME = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/u;
/** A JavaScript root name, checked again right before it is placed in the evaluated source. */
export const JAVASCRIPT_ROOT = /^(?:this|[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)$/u;

class Parser {
  private pos = 0;

  constructor(private readonly text: string, private readonly language: DebugLanguage) {}

  parse(): ValuePath {
    this.space();
    const root = this.name('a variable name');
    if (this.language === 'javascript' ? JAVASCRIPT_RESERVED.has(root) : PYTHON_KEYWORDS.has(root)) {
      this.fail(`'${root}' is a keyword, not a variable`, 0);
    }
    const steps: PathStep[] = [];
    for (this.space(); this.pos < this.text.length; this.space()) {
      const c = this.text[this.pos];
      if (c === '.') {
        this.pos++;
        this.space();
        const name = this.name('an attribute name after "."');
        if (this.language === 'python' && PYTHON_KEYWORDS.has(name)) this.fail(`'${name}' is a keyword`, this.pos - name.length);
        steps.push({ kind: 'attr', name });
      } else if (c === '[') {
        this.pos++;
        steps.push(this.subscript());
      } else {
        this.fail(`unexpected ${describeChar(c)}`, this.pos);
      }
    }
    return { root, steps };
  }

  private space(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  private name(what: string): string {
    const re = this.language === 'python' ? PYTHON_NAME : JAVASCRIPT_NAME;
    const m = re.exec(this.text.slice(this.pos));
    if (!m) this.fail(`expected ${what}${this.pos < this.text.length ? `, found ${describeChar(this.text[this.pos])}` : ''}`, this.pos);
    this.pos += m[0].length;
    return m[0];
  }

  private subscript(): PathStep {
    const items: IndexItem[] = [];
    let tuple = false;
    for (;;) {
      this.space();
      items.push(this.indexItem());
      this.space();
      const c = this.text[this.pos];
      if (c === ']') {
        this.pos++;
        break;
      }
      if (c === ',' && this.language === 'python') {
        this.pos++;
        tuple = true;
        this.space();
        if (this.text[this.pos] === ']') {
          this.pos++;
          break;
        }
        continue;
      }
      this.fail(this.pos >= this.text.length ? 'missing "]"' : `unexpected ${describeChar(c)} in a subscript`, this.pos);
    }
    if (this.language === 'javascript' && items[0].kind !== 'int' && items[0].kind !== 'str') {
      this.fail('JavaScript subscripts take one index or one quoted key', this.pos - 1);
    }
    return { kind: 'index', items, tuple };
  }

  private indexItem(): IndexItem {
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return { kind: 'str', value: this.string(c) };
    if (this.language === 'python' && this.text.startsWith('...', this.pos)) {
      this.pos += 3;
      return { kind: 'ellipsis' };
    }
    const start = this.optionalInt();
    this.space();
    if (this.language === 'javascript' || this.text[this.pos] !== ':') {
      if (start === null) this.fail(`expected an index or a quoted key${this.pos < this.text.length ? `, found ${describeChar(this.text[this.pos])}` : ''}`, this.pos);
      if (this.language === 'javascript' && start < 0) this.fail('JavaScript arrays have no negative indices', this.pos);
      return { kind: 'int', value: start };
    }
    this.pos++;
    this.space();
    const stop = this.optionalInt();
    this.space();
    let step: number | null = null;
    if (this.text[this.pos] === ':') {
      this.pos++;
      this.space();
      step = this.optionalInt();
      if (step === 0) this.fail('a slice step cannot be zero', this.pos - 1);
    }
    return { kind: 'slice', start, stop, step };
  }

  private optionalInt(): number | null {
    const m = /^-?[0-9]+/.exec(this.text.slice(this.pos));
    if (!m) return null;
    const value = Number(m[0]);
    if (!Number.isSafeInteger(value)) this.fail(`the index ${m[0]} is too large`, this.pos);
    this.pos += m[0].length;
    return value;
  }

  /** A quoted key without escapes: what it holds is data, so only the quote that closes it is special. */
  private string(quote: string): string {
    const start = ++this.pos;
    for (; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos];
      if (c === quote) return this.text.slice(start, this.pos++);
      if (c === '\\') this.fail('escapes (backslashes) in quoted keys are not supported', this.pos);
    }
    return this.fail('unterminated quoted key', start - 1);
  }

  private fail(reason: string, at: number): never {
    throw new UserError('debug', `NormScope reads a variable, an attribute or an item, like \`act\`, \`model.conv1.weight\` `
      + `or \`acts['conv1'][0]\`; \`${shorten(this.text)}\` is not one (${reason} at column ${at + 1}). `
      + 'To inspect a computed value, assign it to a variable in the Debug Console and inspect that variable.');
  }
}

/** Parses `text` (a Variables-view evaluateName, a watch expression or an editor selection) into a path. */
export function parseValuePath(text: string, language: DebugLanguage): ValuePath {
  const trimmed = text.trim();
  if (!trimmed) throw new UserError('debug', 'Select a variable name (or an attribute or item of one) to inspect.');
  if (trimmed.length > MAX_EXPRESSION_CHARS) {
    throw new UserError('debug', `The selection has ${trimmed.length} characters; NormScope inspects a variable, an attribute or an item, which is much shorter.`);
  }
  const newline = /[\r\n\u2028\u2029]/.exec(trimmed);
  if (newline) {
    throw new UserError('debug', 'The selection spans several lines; NormScope inspects one variable, attribute or item. '
      + 'Select just the name, or assign the value to a variable in the Debug Console.');
  }
  return new Parser(trimmed, language).parse();
}

/** The path written back as an expression, for titles and messages (never sent to a debugger as code). */
export function formatValuePath(path: ValuePath, language: DebugLanguage): string {
  let text = path.root;
  for (const step of path.steps) {
    if (step.kind === 'attr') {
      text += `.${step.name}`;
      continue;
    }
    const items = step.items.map((item) => formatItem(item, language));
    text += `[${items.join(', ')}${step.tuple && items.length === 1 ? ',' : ''}]`;
  }
  return text;
}

function formatItem(item: IndexItem, language: DebugLanguage): string {
  switch (item.kind) {
    case 'int':
      return String(item.value);
    case 'str':
      return language === 'python' && item.value.includes("'") ? `"${item.value}"` : `'${item.value}'`;
    case 'ellipsis':
      return '...';
    case 'slice':
      return `${item.start ?? ''}:${item.stop ?? ''}${item.step === null ? '' : `:${item.step}`}`;
  }
}

function describeChar(c: string): string {
  if (c === ';') return 'a semicolon';
  if (c === '(') return 'a call or parenthesis';
  if (c === '`') return 'a backtick';
  if (c === '\\') return 'a backslash';
  if (c === "'" || c === '"') return 'a quote';
  return `'${c}'`;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
