// What choosing an environment preset does to the endpoint draft.
import { defaultEndpointSettings, presetDefaults, type EndpointSettings } from '../../../../electron/shared/endpoint/endpoint-settings.js';

/**
 * The fields a preset change sets. Training is a fixed environment: entering it restores its own
 * name and client id; leaving it drops them. A name that was only the previous preset's label
 * follows the new preset, so the profile never says "private" beside "local training".
 */
export function switchPreset(draft: EndpointSettings, preset: EndpointSettings['preset'], labelOf: (preset: EndpointSettings['preset']) => string): Partial<EndpointSettings> {
  const leavingTraining = draft.preset === 'local-training' && preset !== 'local-training';
  const autoNamed = draft.profileName.trim() === '' || draft.profileName === defaultEndpointSettings.profileName || draft.profileName === labelOf(draft.preset);
  if (preset === 'local-training') return { preset, ...presetDefaults(preset), profileName: defaultEndpointSettings.profileName, clientId: defaultEndpointSettings.clientId };
  return {
    preset,
    ...presetDefaults(preset),
    ...(autoNamed ? { profileName: labelOf(preset) } : {}),
    ...(leavingTraining && draft.clientId === defaultEndpointSettings.clientId ? { clientId: '' } : {}),
  };
}
