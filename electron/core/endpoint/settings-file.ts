import path from 'node:path';
import { CoreError, schemaIssueParams } from '../base/errors.js';
import { inputLimits, readBoundedFile } from '../fs/read-bounded.js';
import { defaultEndpointSettings, endpointSettingsSchema, type EndpointSettings } from '../../shared/endpoint/endpoint-settings.js';

/** The station's endpoint profile file inside the data folder. */
export const endpointSettingsFileName = 'endpoint.json';

/** Reads an endpoint profile (a station's own, or one exported by IT); a missing station file means defaults. */
export async function readEndpointSettings(file: string, options: { missingIsDefault: boolean }): Promise<EndpointSettings> {
  const name = path.basename(file);
  let text: string;
  try {
    text = (await readBoundedFile(file, inputLimits.profile, name)).toString('utf8');
  } catch (error) {
    if (error instanceof CoreError && error.params['reason'] === 'ENOENT' && options.missingIsDefault) return { ...defaultEndpointSettings };
    throw error;
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
