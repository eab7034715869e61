#!/usr/bin/env node
// Prints "N passed, N failed, N skipped" from a vitest JSON report, and exits non-zero when the
// report is missing, contains a failure, or ran no test.
"use strict";
const fs = require("node:fs");

const file = process.argv[2];
let report;
try {
  report = JSON.parse(fs.readFileSync(file, "utf8"));
} catch (error) {
  console.log("0 passed, 1 failed, 0 skipped");
  console.error(`cannot read the vitest report ${file}: ${error.message}`);
  process.exit(1);
}

const passed = report.numPassedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A suite that fails to load has no failed test of its own, so count it as one failure.
const failedSuites = (report.testResults ?? []).filter(
  (suite) => suite.status === "failed" && (suite.assertionResults ?? []).every((test) => test.status !== "failed"),
).length;
const failed = (report.numFailedTests ?? 0) + failedSuites;

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
