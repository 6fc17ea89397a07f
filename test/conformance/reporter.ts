import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** `npm run test:conformance`: one line per seed rule, PASS or FAIL, then a count. */
export default class ConformanceReporter implements Reporter {
  private readonly counts = { passed: 0, failed: 0, skipped: 0 };

  onTestCaseResult(test: TestCase): void {
    const state = test.result().state;
    const label = state === 'passed' ? 'PASS' : state === 'failed' ? 'FAIL' : 'SKIP';
    if (state === 'passed' || state === 'failed') this.counts[state]++;
    else this.counts.skipped++;
    process.stdout.write(`${label}  ${test.fullName}\n`);
    if (state === 'failed') {
      for (const error of test.result().errors ?? []) process.stdout.write(`      ${error.message.split('\n')[0]}\n`);
    }
  }

  onTestRunEnd(modules: readonly TestModule[]): void {
    const { passed, failed, skipped } = this.counts;
    process.stdout.write(`\n${passed} rules pass, ${failed} fail${skipped ? `, ${skipped} skipped` : ''} (${modules.length} files)\n`);
  }
}
