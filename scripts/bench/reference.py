"""numpy and PyTorch (CPU, 2 threads) on the benchmark's tensor: `reference.py X.npy RUNS [AXIS]` prints one JSON line.
AXIS is the channel axis: 1 (NCHW, the default) or the last (NHWC, channels-last). Each figure is the minimum over
RUNS runs, in milliseconds; a library that is not installed is reported as skipped."""
import json
import sys
import time

path, runs = sys.argv[1], int(sys.argv[2])
axis = int(sys.argv[3]) if len(sys.argv) > 3 else 1
EPS = 1e-5


def best(f):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times) * 1e3


out = {}
try:
    import numpy as np
except ImportError:
    print(json.dumps({'numpy': {'skipped': 'numpy not installed'}, 'torch': {'skipped': 'torch not installed'}}))
    sys.exit(0)

x = np.load(path)
axis %= x.ndim
axes = tuple(a for a in range(x.ndim) if a != axis)
shape = tuple(-1 if a == axis else 1 for a in range(x.ndim))


def np_stats():
    return x.mean(axes), x.var(axes)


def np_batchnorm():
    m = x.mean(axes).reshape(shape)
    v = x.var(axes).reshape(shape)
    return (x - m) / np.sqrt(v + EPS)


out['numpy'] = {'version': np.__version__, 'stats': best(np_stats), 'batchnorm': best(np_batchnorm)}
try:
    import torch
except ImportError:
    out['torch'] = {'skipped': 'torch not installed'}
else:
    torch.set_num_threads(2)
    t = torch.from_numpy(x)
    # channels-last data as torch keeps it: an NCHW view in the channels_last memory format, no copy
    nchw = t if axis == 1 else t.movedim(axis, 1)
    layer = {3: torch.nn.BatchNorm1d, 4: torch.nn.BatchNorm2d, 5: torch.nn.BatchNorm3d}[x.ndim](x.shape[axis], eps=EPS).train()
    with torch.no_grad():
        out['torch'] = {
            'version': torch.__version__,
            'threads': torch.get_num_threads(),
            'stats': best(lambda: torch.var_mean(t, dim=axes, unbiased=False)),
            'batchnorm': best(lambda: layer(nchw)),
        }
print(json.dumps(out))
