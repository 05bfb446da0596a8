import { describePayload } from '../../shared/display-text.js';
import { findImagingPathFault } from '../../shared/endpoint/endpoint-settings.js';
import { ImagingError } from './imaging-adapter.js';

/**
 * The URL of one protocol call: the API address's own path, then the configured path with the bill
 * code slotted in at {imageCode}. Validation refuses such profiles already; this is checked again on
 * every URL, before any request, because each one carries the station's token or signature: the
 * path must be a plain path and the result must stay on the API address's origin, under its path.
 */
export function buildEndpointUrl(apiAddress: string | URL, name: string, template: string, imageCode?: string): URL {
  const base = typeof apiAddress === 'string' ? new URL(apiAddress) : apiAddress;
  const refuse = () => new ImagingError('endpoint-path-refused', { name, value: describePayload(template) }, 'fix-settings');
  if (findImagingPathFault(template, imageCode !== undefined) !== null) throw refuse();
  const pathPart = imageCode === undefined ? template : template.replaceAll('{imageCode}', encodeURIComponent(imageCode));
  // A bill code of "." or ".." (plain or %-encoded) would move the call to another path on the server.
  if (pathPart.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) throw refuse();
  const basePath = base.pathname.replace(/\/+$/, '');
  const url = new URL(`${basePath}${pathPart}`, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(`${basePath}/`)) throw refuse();
  return url;
}
