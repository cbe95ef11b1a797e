// Reads vitest's JSON results and prints the closing line CI looks for, with per-engine counts.
import fs from 'node:fs';

const file = process.argv[2];
if (!fs.existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`no vitest results at ${file}`);
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const tests = r.testResults.flatMap((f) => f.assertionResults);
const by = (s) => tests.filter((t) => t.status === s).length;
for (const engine of ['sqlite', 'postgres']) {
  const mine = tests.filter((t) => t.fullName.includes(`[${engine}]`));
  console.log(
    `engine ${engine}: ${mine.filter((t) => t.status === 'passed').length} passed, ${mine.filter((t) => t.status === 'failed').length} failed, ${mine.filter((t) => t.status !== 'passed' && t.status !== 'failed').length} skipped`,
  );
}
const skipped = tests.length - by('passed') - by('failed');
const suiteErrors = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
console.log(`${by('passed')} passed, ${by('failed') + suiteErrors} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (process.env.CI === 'true') {
  const pg = tests.filter((t) => t.fullName.includes('[postgres]') && t.status === 'passed').length;
  if (pg === 0) {
    console.error('CI: no PostgreSQL test passed; the suite must run on both engines');
    process.exit(1);
  }
}
process.exit(by('failed') + suiteErrors > 0 ? 1 : 0);
