/**
 * The `--vscode-*` variables VS Code puts on a webview for its default Light Modern, Dark Modern and High Contrast
 * themes (the subset the inspector uses), with the body class VS Code sets for each.
 */
export interface Theme {
  name: 'light' | 'dark' | 'high-contrast';
  bodyClass: string;
  vars: Record<string, string>;
}

const common = { 'font-family': 'system-ui, sans-serif', 'font-size': '13px' };

export const THEMES: Theme[] = [
  {
    name: 'light', bodyClass: 'vscode-light', vars: {
      ...common, foreground: '#3b3b3b', 'editor-background': '#ffffff', descriptionForeground: '#717171', errorForeground: '#f85149',
      focusBorder: '#005fb8', 'panel-border': '#e5e5e5', 'button-background': '#005fb8', 'button-foreground': '#ffffff',
      'button-hoverBackground': '#0258a8', 'input-background': '#ffffff', 'input-foreground': '#3b3b3b', 'input-border': '#cecece',
      'dropdown-background': '#ffffff', 'dropdown-foreground': '#3b3b3b', 'dropdown-border': '#cecece', 'textLink-foreground': '#005fb8',
      'list-activeSelectionBackground': '#e8e8e8', 'list-activeSelectionForeground': '#000000', 'list-hoverBackground': '#f2f2f2',
      'editor-selectionBackground': '#add6ff', 'editor-inactiveSelectionBackground': '#e5ebf1', 'editorWarning-foreground': '#bf8803',
      'editorInfo-foreground': '#1a85ff', 'charts-foreground': '#616161', 'charts-lines': '#61616180', 'charts-red': '#e51400',
      'charts-blue': '#1a85ff', 'charts-yellow': '#bf8803', 'charts-orange': '#d18616', 'charts-green': '#388a34', 'charts-purple': '#652d90',
    },
  },
  {
    name: 'dark', bodyClass: 'vscode-dark', vars: {
      ...common, foreground: '#cccccc', 'editor-background': '#1f1f1f', descriptionForeground: '#9d9d9d', errorForeground: '#f85149',
      focusBorder: '#0078d4', 'panel-border': '#2b2b2b', 'button-background': '#0078d4', 'button-foreground': '#ffffff',
      'button-hoverBackground': '#026ec1', 'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c',
      'dropdown-background': '#313131', 'dropdown-foreground': '#cccccc', 'dropdown-border': '#3c3c3c', 'textLink-foreground': '#4daafc',
      'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff', 'list-hoverBackground': '#2a2d2e',
      'editor-selectionBackground': '#264f78', 'editor-inactiveSelectionBackground': '#3a3d41', 'editorWarning-foreground': '#cca700',
      'editorInfo-foreground': '#3794ff', 'charts-foreground': '#cccccc', 'charts-lines': '#cccccc80', 'charts-red': '#f14c4c',
      'charts-blue': '#3794ff', 'charts-yellow': '#cca700', 'charts-orange': '#d18616', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
    },
  },
  {
    name: 'high-contrast', bodyClass: 'vscode-high-contrast', vars: {
      ...common, foreground: '#ffffff', 'editor-background': '#000000', descriptionForeground: '#ffffff', errorForeground: '#f48771',
      focusBorder: '#f38518', contrastBorder: '#6fc3df', 'panel-border': '#6fc3df', 'button-background': '#000000', 'button-foreground': '#ffffff',
      'button-border': '#6fc3df', 'input-background': '#000000', 'input-foreground': '#ffffff', 'input-border': '#6fc3df',
      'dropdown-background': '#000000', 'dropdown-foreground': '#ffffff', 'dropdown-border': '#6fc3df', 'textLink-foreground': '#21a6ff',
      'list-activeSelectionBackground': '#000000', 'list-activeSelectionForeground': '#ffffff', 'list-focusOutline': '#f38518',
      'list-hoverBackground': '#000000', 'editor-selectionBackground': '#ffffff', 'editor-inactiveSelectionBackground': '#ffffff80',
      'editorWarning-foreground': '#ffd370', 'editorInfo-foreground': '#3794ff', 'charts-foreground': '#ffffff', 'charts-lines': '#ffffff',
      'charts-red': '#f48771', 'charts-blue': '#3794ff', 'charts-yellow': '#ffd370', 'charts-orange': '#ffa500', 'charts-green': '#89d185', 'charts-purple': '#b180d7',
    },
  },
];
