/**
 * `stats FILE[#TENSOR] [--channel-axis A] [--bins N] --json` and `stats --literal-file PATH`: per-channel and
 * overall statistics as JSON (NaN and ±Inf figures are written as null, which is what JSON can hold).
 */
import { promises as fsp } from 'node:fs';
import { integerFlag, parseArgs } from '../args';
import { inspect } from '../../engine/inspect/inspect';
import { DEFAULT_INSPECT_OPTIONS, type Summary } from '../../engine/inspect/types';
import type { Histogram } from '../../engine/histogram';
import { UserError } from '../../engine/errors';
import { entryElements } from '../../formats/elementSource';
import { parseTensorLiteral } from '../../formats/literal';
import { openTensorFile } from '../../node/tensorFiles';
import type { TensorEntry } from '../../formats/container';

export async function stats(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['channel-axis', 'bins', 'literal-file'], ['json']);
  const literalFile = args.flags.get('literal-file');
  if (args.positional.length !== (literalFile ? 0 : 1)) {
    throw new UserError('engine', 'usage: stats FILE[#TENSOR] [--channel-axis A] [--bins N] --json, or stats --literal-file PATH --json');
  }
  let entry: TensorEntry;
  let close = async () => undefined as void;
  if (literalFile) {
    const text = await fsp.readFile(literalFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UserError('io', `Cannot read ${literalFile}: ${e.code ?? e.message}.`);
    });
    entry = parseTensorLiteral(text).entries[0];
  } else {
    const opened = await openTensorFile(args.positional[0]);
    entry = opened.entry;
    close = opened.close;
  }
  try {
    const rank = entry.shape.length;
    const axis = args.flags.has('channel-axis') ? integerFlag(args, 'channel-axis', 1) : rank >= 2 ? 1 : null;
    const bins = integerFlag(args, 'bins', DEFAULT_INSPECT_OPTIONS.bins);
    if (bins < 1 || bins > 100000) throw new UserError('engine', `--bins must be between 1 and 100000, got ${bins}.`);
    const r = await inspect(entryElements(entry), { ...DEFAULT_INSPECT_OPTIONS, op: 'none', channelAxis: axis, bins });
    const out = {
      shape: r.shape,
      dtype: r.dtype,
      channel_axis: axis,
      quantiles_exact: r.quantilesExact,
      overall: withHistogram(r.overall.before, r.overall.histBefore),
      channels: r.channel.before.map((s, c) => withHistogram(s, r.channel.histBefore[c])),
    };
    process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n');
    return 0;
  } finally {
    await close();
  }
}

function withHistogram(s: Summary, h: Histogram) {
  return { ...s, histogram: h };
}
