/**
 * A tensor from text selected in the editor, parsed as data and never executed:
 * - nested lists as Python or JSON write them (nan, inf, -inf, True/False, true/false), with or without commas
 *   (numpy's `print(arr)` separates by spaces), parentheses as lists;
 * - numpy reprs `array([...], dtype=float32)` and numpy 2's scalar reprs `np.float32(1.5)`, `np.True_`; PyTorch reprs `tensor([...], device='cuda:0',
 *   dtype=torch.float16, requires_grad=True)` with `grad_fn=<...>` and a `Parameter containing:` prefix;
 *   TensorFlow reprs `<tf.Tensor: shape=(2,), dtype=float32, numpy=array([...], dtype=float32)>`, `<tf.Variable
 *   'v:0' shape=... numpy=...>` and the printed form `tf.Tensor([...], shape=(2,), dtype=float32)`;
 * - the constructors np.array / np.asarray, torch.tensor / torch.as_tensor, tf.constant / tf.convert_to_tensor /
 *   tf.Variable around a literal, with their dtype argument.
 *
 * Without a dtype the values get the dtype the library would give them: np.array and plain lists float64 for
 * floats and int64 for integers; torch.tensor float32 (the default dtype) and int64; tf.constant float32 and
 * int32 (int64 when a value needs it). Text that the library summarized with '...' is refused with the way to
 * print or save the whole array.
 */
import type { TensorContainer, TensorEntry } from './container';
import { MemoryByteSource } from './byteSource';
import { dtypeFromName } from './dtypeNames';
import { ElementChunks } from './elementChunks';
import { Lexer, type TokenKind } from './lexer';
import { leafValue, NestedListScan, NUMPY_DEFAULTS, resolveDType, type DTypeDefaults } from './nestedList';
import { streamRange } from './streamRange';
import { DTYPE_BYTES, type DType } from '../engine/dtype';
import { FormatError } from '../engine/errors';
import { elementCount } from '../engine/tensor';

type Library = 'numpy' | 'torch' | 'tf';

const DEFAULTS: Record<Library, DTypeDefaults> = {
  numpy: NUMPY_DEFAULTS,
  torch: { float: 'float32', int: ['int64'], empty: 'float32' },
  tf: { float: 'float32', int: ['int32', 'int64'], empty: 'float32' },
};

const CALLEES: Record<string, Library> = {
  array: 'numpy', 'np.array': 'numpy', 'numpy.array': 'numpy', 'np.asarray': 'numpy', 'numpy.asarray': 'numpy',
  tensor: 'torch', 'torch.tensor': 'torch', 'torch.as_tensor': 'torch',
  'tf.constant': 'tf', 'tf.convert_to_tensor': 'tf', 'tf.Variable': 'tf', 'tf.Tensor': 'tf',
};

const HOW_TO_PRINT_ALL: Record<Library, string> = {
  numpy: 'numpy summarized this array with \'...\', so the text does not hold its values. Print it whole with '
    + 'np.set_printoptions(threshold=sys.maxsize), or save it with np.save("x.npy", arr) and open x.npy.',
  torch: 'PyTorch summarized this tensor with \'...\', so the text does not hold its values. Print it whole with '
    + 'torch.set_printoptions(profile="full"), or save it with np.save("x.npy", t.detach().cpu().numpy()) and open x.npy.',
  tf: 'TensorFlow summarized this tensor with \'...\', so the text does not hold its values. Print it whole with '
    + 'np.set_printoptions(threshold=sys.maxsize), or save it with np.save("x.npy", t.numpy()) and open x.npy.',
};

/** numpy 2 prints scalars as their type's constructor: np.float32(1.5), np.int64(3). */
const NUMPY_SCALAR = /^(np|numpy)\.(float(16|32|64)|u?int(8|16|32|64)|bool_?|half|single|double|longlong|intc|int_)$/;

/** Keyword arguments that describe where a tensor lives, not its values. */
const IGNORED_KWARGS = new Set(['device', 'requires_grad', 'grad_fn', 'pin_memory', 'copy', 'order', 'name', 'trainable', 'layout']);

/** What a call or repr says about its tensor besides the values. */
interface Declared {
  dtype?: DType;
  shape?: number[];
}

/** The values of a literal: where they are in the text and what the scan learned. */
interface Values {
  scan: NestedListScan;
  start: number;
  end: number;
  library: Library;
  declared: Declared;
}

const WHAT = 'The selection';

export function parseTensorLiteral(text: string): TensorContainer {
  const bytes = new TextEncoder().encode(text);
  const lex = new Lexer(WHAT, 'character');
  lex.push(bytes, true);
  if (lex.next() === 'eof') throw new FormatError(`${WHAT} is empty: select a list or a numpy, PyTorch or TensorFlow tensor printout.`);
  const parser = new LiteralParser(lex);
  const values = parser.body('numpy');
  if (lex.kind !== 'eof') parser.unexpected('the end of the tensor');
  return { kind: 'literal', entries: [encode(values, bytes)] };
}

function encode(values: Values, bytes: Uint8Array): TensorEntry {
  const { scan, declared } = values;
  let shape = scan.shape();
  if (declared.shape && declared.shape.join() !== shape.join()) {
    if (scan.count !== 0 || elementCount(declared.shape) !== 0) {
      throw new FormatError(`${WHAT} says shape (${declared.shape.join(', ')}) but its values form shape (${shape.join(', ')}).`);
    }
    shape = declared.shape; // an empty list printed with its size, e.g. tensor([], size=(0, 3))
  }
  const dtype = resolveDType(scan, declared.dtype, DEFAULTS[values.library], WHAT);
  const width = DTYPE_BYTES[dtype];
  const out = new ElementChunks(dtype, scan.count, Math.max(width, scan.count * width));
  const lex = new Lexer(WHAT, 'character', values.start);
  lex.push(bytes.subarray(values.start, values.end), true);
  for (let kind = lex.next(); kind !== 'eof' && kind !== null; kind = lex.next()) {
    const value = leafValue(lex);
    if (value !== undefined) out.write(value, lex.bigIntegerText());
  }
  const data = out.take()[0] ?? new Uint8Array(0);
  const source = new MemoryByteSource(data);
  return {
    name: '', dtype, shape, order: 'C', littleEndian: true, byteLength: data.byteLength,
    stream: (maxChunkBytes) => streamRange(source, 0, data.byteLength, width, maxChunkBytes),
  };
}

class LiteralParser {
  constructor(private readonly lex: Lexer) {}

  /** The current token's kind, read through a call so that TypeScript does not keep a narrowing across advance(). */
  private at(): TokenKind {
    return this.lex.kind;
  }

  private atName(text: string): boolean {
    return this.lex.kind === 'name' && this.lex.text === text;
  }

  /** Reads the token after the current one. The text was pushed whole, so the lexer never needs more. */
  private advance(): TokenKind {
    return this.lex.next() as TokenKind;
  }

  unexpected(expected: string): never {
    const lex = this.lex;
    const found = lex.kind === 'eof' ? 'the end of the text' : lex.kind === 'name' || lex.kind === 'number' ? `'${lex.text}'`
      : lex.kind === 'string' ? `the string '${lex.text.slice(0, 40)}'` : `'${lex.kind}'`;
    return lex.fail(`expected ${expected} but found ${found}`);
  }

  private expect(kind: TokenKind, what: string): void {
    if (this.lex.kind !== kind) this.unexpected(what);
    this.advance();
  }

  /**
   * A whole literal starting at the current token; leaves the token after it current. `library` is the default
   * for a bare list; `within` overrides a call's library (the numpy= value of a TensorFlow printout).
   */
  body(library: Library, within?: Library): Values {
    const lex = this.lex;
    if (this.atName('Parameter')) {
      this.advance();
      if (!this.atName('containing')) this.unexpected("'containing' (as in 'Parameter containing:')");
      this.advance();
      this.expect(':', "':'");
    }
    if (lex.kind === '<') return this.tfRepr();
    if (lex.kind === 'name' && leafValue(lex) === undefined) return this.call(within);
    return this.values(library, {});
  }

  /** A list, tuple or single number at the current token. */
  private values(library: Library, declared: Declared): Values {
    const lex = this.lex;
    const scan = new NestedListScan('the tensor', lex);
    const start = lex.start;
    if (lex.kind !== '[' && lex.kind !== '(') {
      if (lex.kind === '...') lex.fail(HOW_TO_PRINT_ALL[library]);
      if (leafValue(lex) === undefined) this.unexpected('a list or a number');
      scan.leaf(0);
      const end = lex.end;
      this.advance();
      return { scan, start, end, library, declared };
    }
    const closers: TokenKind[] = [];
    let afterElement = false;
    for (let kind = this.at(); ; kind = this.advance()) {
      if (kind === '[' || kind === '(') {
        scan.openList(closers.length);
        closers.push(kind === '[' ? ']' : ')');
        afterElement = false;
      } else if (kind === ']' || kind === ')') {
        if (kind !== closers[closers.length - 1]) this.unexpected(`'${closers[closers.length - 1]}'`);
        closers.pop();
        scan.closeList(closers.length);
        if (closers.length === 0) break;
        afterElement = true;
      } else if (kind === ',') {
        if (!afterElement) this.unexpected('a value');
        afterElement = false;
      } else if (kind === '...') {
        lex.fail(HOW_TO_PRINT_ALL[library]);
      } else if (kind === 'eof') {
        this.unexpected(`'${closers[closers.length - 1]}' (the text ends inside a list)`);
      } else {
        scan.leaf(closers.length);
        afterElement = true;
      }
    }
    const end = lex.end;
    this.advance();
    return { scan, start, end, library, declared };
  }

  /** `callee(values, key=value, ...)` at the current name token. */
  private call(within: Library | undefined): Values {
    const lex = this.lex;
    const callee = lex.text;
    const scalarType = NUMPY_SCALAR.test(callee) ? dtypeFromName(callee, WHAT) : undefined;
    if (!CALLEES[callee] && !scalarType) {
      lex.fail(`'${callee}' is not a tensor NormScope reads; select a list, or a numpy array(...), PyTorch tensor(...) or `
        + 'TensorFlow <tf.Tensor ...> printout, or np.array(...), torch.tensor(...), tf.constant(...) around a list');
    }
    const library = within ?? CALLEES[callee] ?? 'numpy';
    this.advance();
    this.expect('(', `'(' after ${callee}`);
    if (lex.kind === 'name' && !['True', 'False', 'true', 'false'].includes(lex.text)) {
      // tensor(indices=..., values=..., layout=torch.sparse_coo) and friends
      lex.fail(`${callee}(${lex.text}=...) is not a dense tensor printout; print the dense tensor, e.g. t.to_dense()`);
    }
    const declared: Declared = scalarType ? { dtype: scalarType, shape: [] } : {};
    const values = this.values(library, declared);
    this.keywords(declared, ')');
    this.expect(')', `')' closing ${callee}(...)`);
    return values;
  }

  /** `<tf.Tensor: shape=(2,), dtype=float32, numpy=...>` or `<tf.Variable 'v:0' shape=(2,) dtype=float32, numpy=...>`. */
  private tfRepr(): Values {
    const lex = this.lex;
    this.advance();
    if (lex.kind !== 'name' || (lex.text !== 'tf.Tensor' && lex.text !== 'tf.Variable')) this.unexpected("'tf.Tensor' or 'tf.Variable' after '<'");
    this.advance();
    if (this.at() === ':') this.advance();
    if (this.at() === 'string') this.advance(); // a variable's name
    const declared: Declared = {};
    const values = this.keywords(declared, '>');
    this.expect('>', "'>' closing the TensorFlow printout");
    if (!values) return this.unexpected("'numpy=' with the tensor's values");
    if (values.declared.dtype && declared.dtype && values.declared.dtype !== declared.dtype) {
      throw new FormatError(`${WHAT} says dtype=${declared.dtype} but its numpy= value says dtype=${values.declared.dtype}.`);
    }
    return { ...values, library: 'tf', declared: { dtype: declared.dtype ?? values.declared.dtype, shape: declared.shape } };
  }

  /**
   * `, key=value` pairs up to `close` (commas optional, as in a tf.Variable repr). dtype and shape/size go into
   * `declared`; a TensorFlow `numpy=` value is parsed and returned.
   */
  private keywords(declared: Declared, close: TokenKind): Values | undefined {
    const lex = this.lex;
    let numpy: Values | undefined;
    for (;;) {
      if (lex.kind === ',') this.advance();
      if (lex.kind === close) return numpy;
      if (lex.kind !== 'name') this.unexpected(`a keyword argument or '${close}'`);
      const key = lex.text;
      this.advance();
      this.expect('=', `'=' after ${key}`);
      if (key === 'dtype') {
        if (lex.kind !== 'name' && lex.kind !== 'string') this.unexpected('a dtype name');
        declared.dtype = dtypeFromName(lex.text, `${WHAT}: dtype`);
        this.advance();
      } else if (key === 'shape' || key === 'size') {
        declared.shape = this.intTuple();
      } else if (key === 'numpy' && close === '>') {
        numpy = this.body('tf', 'tf');
      } else if (key === 'layout' && lex.kind === 'name' && lex.text !== 'torch.strided') {
        lex.fail(`a ${lex.text} tensor is not a dense printout; print t.to_dense()`);
      } else if (IGNORED_KWARGS.has(key)) {
        this.skipSimpleValue();
      } else if (['scale', 'zero_point', 'qscheme'].includes(key)) {
        lex.fail('a quantized tensor printout; print t.dequantize()');
      } else {
        lex.fail(`unknown argument '${key}='; NormScope reads dtype=, shape=/size= and ignores ${[...IGNORED_KWARGS].join('=, ')}=`);
      }
    }
  }

  /** `(2, 3)`, `(3,)` or `()`. */
  private intTuple(): number[] {
    const lex = this.lex;
    this.expect('(', "'(' opening a shape");
    const dims: number[] = [];
    while (lex.kind !== ')') {
      if (lex.kind !== 'number' || !lex.isInteger || !Number.isSafeInteger(lex.value) || lex.value < 0) this.unexpected('a non-negative integer dimension');
      dims.push(lex.value);
      this.advance();
      if (this.at() === ',') this.advance();
      else if (this.at() !== ')') this.unexpected("',' or ')' in a shape");
    }
    this.advance();
    return dims;
  }

  /** A name, string, number or `<Name>` (grad_fn=<MulBackward0>) whose meaning does not matter. */
  private skipSimpleValue(): void {
    const lex = this.lex;
    if (lex.kind === '<') {
      this.advance();
      if (this.at() !== 'name') this.unexpected('a name inside <...>');
      this.advance();
      this.expect('>', "'>'");
      return;
    }
    if (lex.kind !== 'name' && lex.kind !== 'string' && lex.kind !== 'number') this.unexpected('a value');
    this.advance();
  }
}
