// Summarises mocha JSON reports: passed, failed, pending per suite, then each failure.
// usage: node summary.mjs RESULTS_DIR SUITE...
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';

const [dir, ...suites] = process.argv.slice(2);
const rows = ['| suite | passed | failed | pending |', '|---|---:|---:|---:|'];
const details = [];
for(const suite of suites) {
  const file = join(dir, `${suite}.json`);
  if(!existsSync(file)) {
    rows.push(`| ${suite} | — | — | — (no report: see ${suite}.log) |`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const {passes, failures, pending} = report.stats;
  rows.push(`| ${suite} | ${passes} | ${failures} | ${pending} |`);
  if(report.failures.length) {
    details.push('', `### ${suite}: failed`);
    for(const t of report.failures) {
      const message = String(t.err?.message || '').split('\n')[0].slice(0, 200);
      details.push(`- ${t.fullTitle} — ${message}`);
    }
  }
  if(report.pending.length) {
    details.push('', `### ${suite}: pending`);
    for(const t of report.pending) {
      details.push(`- ${t.fullTitle}`);
    }
  }
}
console.log([...rows, ...details].join('\n'));
