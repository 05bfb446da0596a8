import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../helpers/temp-dir.js';

interface Allowed {
  rule: string;
  file: string;
  why: string;
}

interface SarifResult {
  ruleId: string;
  locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }>;
}

test('Electronegativity over electron/, with the installed Electron version: every finding is fixed or justified in the allowlist', { timeout: 180_000 }, async () => {
  const electronVersion = (JSON.parse(readFileSync(path.resolve('node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
  const sarif = path.join(await makeTempDir(), 'electronegativity.sarif');
  // The tool always exits 0 (and tries the network for news, which these machines do not have): its SARIF is the verdict.
  const run = spawnSync(process.execPath, [path.resolve('node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js'), '-i', 'electron', '-e', electronVersion, '-r', '-v', 'false', '-o', sarif], { encoding: 'utf8', timeout: 150_000 });
  assert.equal(run.error, undefined, String(run.error));
  const results = (JSON.parse(readFileSync(sarif, 'utf8')) as { runs: Array<{ results: SarifResult[] }> }).runs.flatMap((entry) => entry.results);
  const findings = results.map((result) => {
    const uri = result.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '';
    return { rule: result.ruleId, file: uri === '' || uri === 'file:///' ? 'N/A' : uri.replace(/^file:\/\//, ''), line: result.locations?.[0]?.physicalLocation?.region?.startLine ?? 0 };
  });
  const allowlist = (JSON.parse(readFileSync(path.resolve('security', 'electronegativity-allowlist.json'), 'utf8')) as { allowed: Allowed[] }).allowed;
  for (const entry of allowlist) assert.ok(entry.why.length > 40, `${entry.rule} ${entry.file}: say why`);
  const unexplained = findings.filter((finding) => !allowlist.some((entry) => entry.rule === finding.rule && entry.file === finding.file));
  assert.deepEqual(unexplained, [], 'findings neither fixed nor justified in security/electronegativity-allowlist.json');
  const stale = allowlist.filter((entry) => !findings.some((finding) => finding.rule === entry.rule && finding.file === entry.file));
  assert.deepEqual(stale, [], 'allowlist entries that match no finding any more: remove them');
  assert.ok(findings.length > 0 || allowlist.length === 0);
});
