// mocha's spec reporter plus the one line scripts/test-all.mjs sums: `N passed, N failed[, N skipped]`.
// Usage: mocha --reporter ./scripts/mochaSummaryReporter.js
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = runner.stats;
      // after the spec reporter's epilogue, which it prints on the same event
      setImmediate(() => console.log(`${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}`));
    });
  }
}

module.exports = SummaryReporter;
