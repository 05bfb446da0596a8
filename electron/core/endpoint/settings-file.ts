import { promises as fs } from 'node:fs';
import path from 'node:path';
import { causeParams, CoreError, schemaIssueParams } from '../errors.js';
import { defaultEndpointSettings, endpointSettingsSchema, type EndpointSettings } from '../../shared/endpoint/endpoint-settings.js';

/** The station's endpoint profile file inside the data folder. */
export const endpointSettingsFileName = 'endpoint.json';

/** Reads an endpoint profile (a station's own, or one exported by IT); a missing station file means defaults. */
export async function readEndpointSettings(file: string, options: { missingIsDefault: boolean }): Promise<EndpointSettings> {
  const name = path.basename(file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && options.missingIsDefault) return { ...defaultEndpointSettings };
    throw new CoreError('file-unreadable', { name, ...causeParams(error) }, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (error) {
    throw new CoreError('settings-file-invalid', { name, reason: 'not-json' }, { cause: error });
  }
  const parsed = endpointSettingsSchema.safeParse(json);
  if (!parsed.success) {
    throw new CoreError('settings-file-invalid', { name, ...schemaIssueParams(parsed.error.issues) });
  }
  return parsed.data;
}
