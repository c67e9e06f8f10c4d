/**
 * What NormScope runs in a paused Python frame (debugpy), through one DAP `evaluate` in the `repl` context.
 *
 * The evaluated expression is a fixed wrapper around two base64 strings, the program below and the request
 * (the value's path as data, the host's temporary file name, the sample steps):
 *
 *   (lambda b, ns: (b.exec(b.__import__('base64').b64decode('<program>'), ns), ns['reply'])[1])(
 *     __import__('builtins'), {'scope_locals': __import__('builtins').locals(),
 *     'scope_globals': __import__('builtins').globals(), 'request': '<request>'})
 *
 * Nothing the user selected is ever compiled: the program looks the root name up in the frame's dicts and
 * walks the path with getattr and [] (valuePath.ts). Base64 holds only [A-Za-z0-9+/=], so no quote, backslash,
 * newline or debugpy's '@LINE@' marker can appear inside the wrapper's string literals. The program runs in its
 * own namespace `ns`: nothing is added to the user's variables. `locals()` at the top of debugpy's evaluation is
 * the frame's locals merged over its globals.
 */
import type { ValuePath } from './valuePath';

export type PythonRequest =
  | { op: 'describe'; path: ValuePath }
  /** Write the value (or `value[::s0, ::s1, …]` when `steps` is set) as `.npy` to `file`, which must not exist. */
  | { op: 'save'; path: ValuePath; file: string; steps: number[] | null };

/**
 * Runs with `scope_locals`, `scope_globals` and `request` in its globals and leaves `reply` there:
 * 'J' + base64(JSON). Frameworks are only looked up in sys.modules (a value of one means it is imported), so
 * inspecting never imports torch, TensorFlow or JAX; numpy is imported only to write the file.
 */
const PYTHON_PROGRAM = String.raw`
import base64, importlib.util, json, sys

EXACT_DTYPES = ('bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
                'float16', 'float32', 'float64')


class Failure(Exception):
    def __init__(self, code, message, **extra):
        Exception.__init__(self, message)
        self.code = code
        self.extra = extra


def type_name(value):
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == 'builtins' else '%s.%s' % (kind.__module__, kind.__qualname__)


def lookup(name):
    for scope in (scope_locals, scope_globals):
        if name in scope:
            return scope[name]
    if hasattr(sys.modules['builtins'], name):
        return getattr(sys.modules['builtins'], name)
    raise Failure('undefined', 'not defined in this frame')


def key_of(item):
    if item['kind'] == 'slice':
        return slice(item['start'], item['stop'], item['step'])
    if item['kind'] == 'ellipsis':
        return Ellipsis
    return item['value']


def resolve(path):
    value = lookup(path['root'])
    for index, step in enumerate(path['steps']):
        try:
            if step['kind'] == 'attr':
                value = getattr(value, step['name'])
            else:
                keys = tuple(key_of(item) for item in step['items'])
                value = value[keys if step['tuple'] else keys[0]]
        except Exception as error:
            raise Failure('lookup', '%s: %s' % (type(error).__name__, error), step=index)
    return value


def import_numpy():
    try:
        import numpy
    except ImportError:
        raise Failure('no-numpy', 'numpy is not installed', python=sys.executable, version=sys.version.split()[0])
    return numpy


def origin_of(value):
    torch = sys.modules.get('torch')
    if torch is not None and isinstance(value, torch.Tensor):
        return 'torch'
    tf = sys.modules.get('tensorflow')
    if tf is not None and isinstance(value, (tf.Tensor, tf.Variable)):
        return 'tensorflow'
    jax = sys.modules.get('jax')
    if jax is not None and isinstance(value, getattr(jax, 'Array', ())):
        return 'jax'
    np = sys.modules.get('numpy')
    if np is not None and isinstance(value, (np.ndarray, np.generic)):
        return 'numpy'
    if isinstance(value, (list, tuple)):
        return 'sequence'
    return None


def dtype_name(value, origin):
    if origin == 'torch':
        return str(value.dtype).replace('torch.', '')
    if origin == 'tensorflow':
        return value.dtype.name
    return str(value.dtype)


def target_dtype(name):
    if name in EXACT_DTYPES:
        return name, None
    if name == 'bfloat16' or name.startswith('float8'):
        return 'float32', '%s converted to float32 (exactly: .npy has no %s)' % (name, name)
    if name in ('float128', 'longdouble'):
        return 'float64', '%s rounded to float64' % name
    if name.startswith(('qint', 'quint')):
        return 'float32', 'quantized %s dequantized to float32' % name
    raise Failure('dtype', name)


def check_has_values(value, origin):
    if origin == 'torch' and value.is_meta:
        raise Failure('no-data', 'a PyTorch tensor on the meta device')
    if origin == 'tensorflow' and not callable(getattr(value, 'numpy', None)):
        raise Failure('no-data', 'a symbolic TensorFlow tensor (inside tf.function or a Keras graph)')
    if origin == 'jax' and 'Tracer' in type(value).__name__:
        raise Failure('no-data', 'a JAX tracer (inside jit, grad or vmap)')


def shape_of(value, origin):
    dims = value.shape.as_list() if origin == 'tensorflow' else value.shape
    return [int(d) for d in dims]


def as_array(value, origin, target, steps):
    numpy = import_numpy()
    index = tuple(slice(None, None, s) for s in steps) if steps else None
    if origin == 'torch':
        tensor = value.detach()
        if tensor.layout != sys.modules['torch'].strided:
            tensor = tensor.to_dense()
        if index is not None:
            tensor = tensor[index]
        if tensor.is_quantized:
            tensor = tensor.dequantize()
        if dtype_name(tensor, origin) != target:
            tensor = tensor.float()
        array = tensor.cpu().numpy()
    else:
        if index is not None:
            value = value[index]
        array = value.numpy() if origin == 'tensorflow' else numpy.asarray(value)
    return array if array.dtype.name == target else array.astype(target)


def sequence_array(value):
    kind = type_name(value)
    try:
        array = import_numpy().asarray(value)
    except ValueError as error:
        raise Failure('not-tensor', 'is ragged (%s)' % error, typeName=kind)
    if array.dtype.kind not in 'biuf':
        raise Failure('not-tensor', 'holds %s values, not numbers' % array.dtype.name, typeName=kind)
    return array


def main(req):
    value = resolve(req['path'])
    origin = origin_of(value)
    if origin is None:
        raise Failure('not-tensor', 'not a tensor', typeName=type_name(value))
    if origin == 'sequence':
        value = sequence_array(value)
    check_has_values(value, origin)
    name = dtype_name(value, origin)
    target, note = target_dtype(name)
    if req['op'] == 'describe':
        if importlib.util.find_spec('numpy') is None:
            import_numpy()
        info = dict(origin=origin, typeName=type_name(value), shape=shape_of(value, origin), dtype=name,
                    target=target, note=note)
        if origin == 'torch':
            info.update(device=str(value.device), requiresGrad=bool(value.requires_grad))
        return info
    array = as_array(value, origin, target, req['steps'])
    try:
        with open(req['file'], 'xb') as out:
            import_numpy().save(out, array, allow_pickle=False)
            written = out.tell()
    except OSError as error:
        raise Failure('write', '%s: %s' % (type(error).__name__, error))
    return dict(shape=[int(d) for d in array.shape], dtype=array.dtype.name, bytes=written)


try:
    reply_fields = dict(ok=True, **main(json.loads(base64.b64decode(request).decode('utf-8'))))
except Failure as failure:
    reply_fields = dict(ok=False, code=failure.code, message=str(failure)[:2000], **failure.extra)
except Exception as error:
    reply_fields = dict(ok=False, code='error', message=('%s: %s' % (type(error).__name__, error))[:2000])
reply = 'J' + base64.b64encode(json.dumps(reply_fields).encode('utf-8')).decode('ascii')
`;

const PROGRAM_BASE64 = Buffer.from(PYTHON_PROGRAM, 'utf8').toString('base64');
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The expression for DAP `evaluate`: the fixed wrapper with the program and the request as base64 literals. */
export function pythonExpression(request: PythonRequest): string {
  const data = Buffer.from(JSON.stringify(request), 'utf8').toString('base64');
  // base64 can never close the literal it sits in; checked anyway, as the one guarantee everything rests on
  if (!BASE64.test(data) || !BASE64.test(PROGRAM_BASE64)) throw new Error('base64 produced a character outside its alphabet');
  return `(lambda b, ns: (b.exec(b.__import__('base64').b64decode('${PROGRAM_BASE64}'), ns), ns['reply'])[1])`
    + `(__import__('builtins'), {'scope_locals': __import__('builtins').locals(), `
    + `'scope_globals': __import__('builtins').globals(), 'request': '${data}'})`;
}
