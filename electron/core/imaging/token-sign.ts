import { createHash } from 'node:crypto';

/** md5(client_id + client_secret + timestamp), lower-case hex, as the invoice cloud signs tokens. */
export function signTokenRequest(clientId: string, clientSecret: string, timestamp: string): string {
  return createHash('md5').update(`${clientId}${clientSecret}${timestamp}`).digest('hex');
}
