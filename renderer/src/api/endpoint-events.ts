/** Window event fired after the endpoint profile is saved or a preflight ran, so every view re-reads it. */
export const endpointChangedEvent = 'scan-station:endpoint-changed';

/** Tells the status bar and other views that the endpoint profile or the last preflight changed. */
export function announceEndpointChange(): void {
  window.dispatchEvent(new Event(endpointChangedEvent));
}
