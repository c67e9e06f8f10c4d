/** Writes the normalized tensor as `.npy`, streamed into a temporary file renamed into place at the end. */
import type { TensorEntry } from '../formats/container';
import { entryElements } from '../formats/elementSource';
import { encodeNpy } from '../formats/npy';
import { normalizeStream } from '../engine/inspect/normalizeStream';
import type { RunControl } from '../engine/inspect/inspect';
import type { InspectOptions } from '../engine/inspect/types';
import { writeAtomically } from './atomicWrite';

export function writeNormalizedNpy(entry: TensorEntry, options: InspectOptions, outPath: string, control: RunControl): Promise<void> {
  return writeAtomically(outPath, async (out) => {
    const dtype = entry.dtype === 'float64' ? 'float64' : 'float32';
    // the header depends only on dtype and shape: encode it with no data, then append the chunks
    await out.write(encodeNpy(dtype, entry.shape, new Uint8Array(0)));
    await normalizeStream(entryElements(entry), options, async (y) => {
      await out.write(new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
    }, control);
  });
}
