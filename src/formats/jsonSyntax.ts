/**
 * JSON grammar as a state machine over lexer tokens: it checks commas, colons and keys and reports containers,
 * keys and scalars to a handler. The container stack is an array, so depth costs memory, not call stack; the
 * depth limit turns a 100 000-deep file into a FormatError at the first level too many.
 *
 * Beyond RFC 8259 it reads what Python's json module writes for non-finite floats: NaN, Infinity, -Infinity.
 */
import type { Lexer, TokenKind } from './lexer';

export interface JsonHandler {
  /** A container opens; `depth` is its own depth (the top-level value is depth 1 when it is a container). */
  open(kind: '[' | '{', depth: number): void;
  close(kind: ']' | '}', depth: number): void;
  /** A key of the object at `depth`; the value that follows is reported next. */
  key(name: string, depth: number): void;
  /** The lexer's current token is a scalar inside the container at `depth` (0: the top-level value). */
  scalar(depth: number): void;
}

type Expect = 'value' | 'first-value' | 'key' | 'first-key' | 'colon' | 'comma' | 'end';

export class JsonSyntax {
  private readonly stack: ('[' | '{')[] = [];
  private expect: Expect = 'value';

  constructor(private readonly lex: Lexer, private readonly handler: JsonHandler, private readonly maxDepth: number) {}

  /** Feeds the lexer's current token; returns true once the document has ended. */
  feed(kind: TokenKind): boolean {
    const lex = this.lex;
    const depth = this.stack.length;
    if ((this.expect === 'first-value' && kind === ']') || (this.expect === 'first-key' && kind === '}')) return this.closeContainer(kind);
    switch (this.expect) {
      case 'first-value':
      case 'value':
        return this.value(kind, depth);
      case 'first-key':
      case 'key':
        if (kind !== 'string') return lex.fail(`expected a quoted key, found ${this.found(kind)}`);
        this.handler.key(lex.text, depth);
        this.expect = 'colon';
        return false;
      case 'colon':
        if (kind !== ':') return lex.fail(`expected ':' after a key, found ${this.found(kind)}`);
        this.expect = 'value';
        return false;
      case 'comma': {
        const top = this.stack[depth - 1];
        if (kind === ',') {
          this.expect = top === '[' ? 'value' : 'key';
          return false;
        }
        if ((top === '[' && kind === ']') || (top === '{' && kind === '}')) return this.closeContainer(kind);
        return lex.fail(`expected ',' or '${top === '[' ? ']' : '}'}', found ${this.found(kind)}`);
      }
      case 'end':
        if (kind !== 'eof') return lex.fail(`unexpected ${this.found(kind)} after the end of the JSON value`);
        return true;
    }
  }

  private value(kind: TokenKind, depth: number): boolean {
    const lex = this.lex;
    if (kind === '[' || kind === '{') {
      if (depth >= this.maxDepth) lex.fail(`nesting deeper than ${this.maxDepth} levels`);
      this.stack.push(kind);
      this.handler.open(kind, depth + 1);
      this.expect = kind === '[' ? 'first-value' : 'first-key';
      return false;
    }
    const scalar = kind === 'number' || kind === 'string'
      || (kind === 'name' && (lex.text === 'true' || lex.text === 'false' || lex.text === 'null'));
    if (!scalar) {
      const hint = kind === 'name' && ['True', 'False', 'None'].includes(lex.text) ? ' (JSON spells them true, false, null)' : '';
      return lex.fail(`expected a JSON value, found ${this.found(kind)}${hint}`);
    }
    this.handler.scalar(depth);
    this.expect = depth === 0 ? 'end' : 'comma';
    return false;
  }

  private closeContainer(kind: ']' | '}'): boolean {
    const depth = this.stack.length;
    this.stack.pop();
    this.handler.close(kind, depth);
    this.expect = depth === 1 ? 'end' : 'comma';
    return false;
  }

  private found(kind: TokenKind): string {
    if (kind === 'eof') return 'the end of the input (the JSON is truncated)';
    if (kind === 'name') return `'${this.lex.text}'`;
    if (kind === 'number') return `the number ${this.lex.text}`;
    if (kind === 'string') return `the string "${this.lex.text.slice(0, 40)}"`;
    return `'${kind}'`;
  }
}
