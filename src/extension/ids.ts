/** Every identifier the manifest declares, in one place; a unit test checks package.json against this module. */
export const EXTENSION_ID = 'normscope.normscope';
export const VIEW_TYPE = 'normscope.tensorInspector';
export const PANEL_VIEW_TYPE = 'normscope.inspectorPanel';

export const Commands = {
  inspectFile: 'normscope.inspectFile',
  inspectSelection: 'normscope.inspectSelection',
  inspectVariable: 'normscope.inspectVariable',
  showLog: 'normscope.showLog',
} as const;

export const Settings = {
  section: 'normscope',
  histogramBins: 'histogramBins',
  maxTransferMB: 'debug.maxTransferMB',
  inlineComputeElements: 'inlineComputeElements',
} as const;

/** Extensions the custom editor opens; JSON opens through the command and the explorer menu. */
export const CUSTOM_EDITOR_EXTENSIONS = ['.npy', '.npz', '.safetensors'];
export const FILE_EXTENSIONS = [...CUSTOM_EDITOR_EXTENSIONS, '.json'];
