// What scripts/bench.mjs drives: the real engine and worker pool, bundled by the benchmark itself.
export { EnginePool } from '../../src/node/enginePool';
export { inspect, InspectPlan, momentLists } from '../../src/engine/inspect/inspect';
export { DEFAULT_INSPECT_OPTIONS } from '../../src/engine/inspect/types';
export { GroupMoments, mergeInto } from '../../src/engine/moments';
export { entryElements } from '../../src/formats/elementSource';
export { encodeNpy } from '../../src/formats/npy';
export { openTensorFile } from '../../src/node/tensorFiles';
export { channelWindow, encodeResult, payloadBytes } from '../../src/shared/resultWire';
