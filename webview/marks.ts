/**
 * Start-up steps as performance marks named `normscope:<step>`, each set once per page: the end-to-end test reads
 * them for its open-to-charts breakdown (issue 8). Marks cost nothing the page would notice, and only the first of
 * each step is kept, so a long-lived inspector does not accumulate them.
 */
const marked = new Set<string>();

export function markOnce(step: string): void {
  if (marked.has(step)) return;
  marked.add(step);
  performance.mark(`normscope:${step}`);
}
