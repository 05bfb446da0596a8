import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliCommands } from '../../../../electron/cli/commands/index.js';

test('every command entry loads the command it names, with the summary the help list shows', async () => {
  const names = new Set<string>();
  for (const entry of cliCommands) {
    assert.ok(!names.has(entry.name), `${entry.name} listed twice`);
    names.add(entry.name);
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    assert.equal(command.summaryKey, entry.summaryKey, `${entry.name}: the help list's summary is the command's own`);
  }
  assert.ok(names.has('split') && names.has('check') && names.has('scan'));
});
