/** Options several operations share. */
import type { DenseTensor } from '../tensor';

export interface AffineOptions {
  /** Default 1e-5. */
  eps?: number;
  /** γ; absent means 1 (PyTorch's affine=False, or its initial weight). */
  scale?: DenseTensor;
  /** β; absent means 0. */
  bias?: DenseTensor;
}

export interface ChannelOptions extends AffineOptions {
  /** Default 1 (NC, NCL, NCHW, NCDHW); -1 for channels-last (NLC, NHWC, NDHWC). */
  channelAxis?: number;
}
