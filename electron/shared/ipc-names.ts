/**
 * The contract's channel and event names as plain data, for code that must not carry the zod
 * schemas (the preload runs in every window and is bundled without them). ipc-contract.ts fails to
 * compile if these lists and the contract ever disagree.
 */

/** Every invoke channel, in contract order. */
export const channelNameList = [
  'app:info',
  'prefs:get',
  'prefs:set',
  'diagnose:stationCheck',
  'templateCheck:inspect',
  'templateCheck:cancel',
  'scanDesk:overview',
  'scanDesk:watchStatus',
  'scanDesk:settings',
  'scanDesk:saveSettings',
  'scanDesk:importExpected',
  'scanDesk:clearExpected',
  'scanDesk:page',
  'scanDesk:setWatch',
  'scanDesk:import',
  'scanDesk:importPages',
  'scanDesk:closeBatch',
  'scanDesk:billAction',
  'scanDesk:releaseReviewed',
  'scanDesk:scanUser',
  'scanDesk:signIn',
  'capture:devices',
  'capture:addDevice',
  'capture:removeDevice',
  'capture:saveSettings',
  'capture:state',
  'capture:start',
  'capture:cancel',
  'capture:release',
  'upload:status',
  'upload:act',
  'support:lookup',
  'support:recent',
  'support:returned',
  'support:bundle',
  'support:reclose',
  'covers:preview',
  'covers:importCsv',
  'endpoint:settings',
  'endpoint:save',
  'endpoint:export',
  'endpoint:parseProfile',
  'endpoint:preflight',
  'covers:print',
  'covers:generate',
] as const;

/** Every event channel main pushes to the renderer. */
export const eventNameList = ['diagnose:progress', 'endpoint:preflightStep', 'covers:progress', 'templateCheck:progress', 'station:changed', 'capture:changed'] as const;

/** Narrows a string to an event channel name. */
export function isEventNameListed(name: unknown): name is (typeof eventNameList)[number] {
  return typeof name === 'string' && (eventNameList as readonly string[]).includes(name);
}
