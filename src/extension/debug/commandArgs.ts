/**
 * What "Inspect Variable" receives, checked before use. From the Variables view and a watch's children VS Code
 * passes `{ sessionId, container, variable: { name, evaluateName, value, variablesReference, … } }`; from a
 * watch expression itself `{ sessionId, variable: { name, evaluateName } }` with both set to the expression;
 * from the editor menu the document's Uri (the selection is read from the editor); from the palette nothing.
 */

export interface VariableReference {
  /** The expression to read: the variable's evaluateName, else its name. */
  expression: string;
  /** The debug session the variable belongs to, when VS Code said. */
  sessionId?: string;
  /** How the Variables view labels it, for messages. */
  name: string;
}

/** The variable in a debug view's menu argument, or undefined when `arg` is not one (editor, palette). */
export function variableFromArg(arg: unknown): VariableReference | undefined {
  if (typeof arg !== 'object' || arg === null || !('variable' in arg)) return undefined;
  const { variable, sessionId } = arg as { variable: unknown; sessionId?: unknown };
  if (typeof variable !== 'object' || variable === null) return undefined;
  const { name, evaluateName } = variable as { name?: unknown; evaluateName?: unknown };
  if (typeof name !== 'string') return undefined;
  // adapters leave evaluateName out for entries that have no expression (debugpy's "special variables"); the
  // name is then tried, and the grammar refuses what is not one
  const expression = typeof evaluateName === 'string' && evaluateName.trim() ? evaluateName : name;
  return { expression, name, sessionId: typeof sessionId === 'string' ? sessionId : undefined };
}
