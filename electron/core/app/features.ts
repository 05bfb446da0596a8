import type { z } from 'zod';
import type { areaIdSchema, featureStateSchema } from '../../shared/ipc-contract.js';

/** Which area engines ship in this build; later issues flip their entry to `available`. */
export const featureStates: Record<z.output<typeof areaIdSchema>, z.output<typeof featureStateSchema>> = {
  scanDesk: 'available',
  templateCheck: 'available',
  covers: 'available',
  connection: 'available',
  troubleshoot: 'planned',
  settings: 'available',
};
