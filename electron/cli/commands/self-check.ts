import { localizeParams } from '../../shared/message-text.js';
import type { CliCommand } from '../cli-context.js';
import { exitCodes } from '../cli-context.js';

const marks = { pass: '✔', warn: '!', fail: '✘', skipped: '-' } as const;

/** `scan-station self-check`: the station self-check; exit 1 when a step fails. */
export const selfCheckCommand: CliCommand = {
  name: 'self-check',
  summaryKey: 'cli.selfCheck.summary',
  options: [],
  async run({ openCore, json, io, t }) {
    const core = await openCore();
    const report = await core.diagnose.runStationCheck((step) => {
      if (json) return;
      const message = t(`selfCheck.messages.${step.code}`, localizeParams(t, step.params));
      io.stdout(`${marks[step.status]} ${t(`selfCheck.steps.${step.id}`)} · ${t(`selfCheck.status.${step.status}`)} · ${message}\n`);
    });
    if (json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const summary = { pass: 'summaryPass', warn: 'summaryWarn', fail: 'summaryFail' } as const;
      io.stdout(`${t(`selfCheck.${summary[report.verdict]}`)}\n`);
    }
    return report.verdict === 'fail' ? exitCodes.findings : exitCodes.ok;
  },
};
