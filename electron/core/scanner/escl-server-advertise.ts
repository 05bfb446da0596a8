// The reference eSCL scanner announced over mDNS as `_uscan._tcp`, with the TXT keys AirScan clients read.
import { Bonjour } from 'bonjour-service';
import type { Logger } from '../log/logger.js';

/** A running announcement. */
export interface ScannerAdvert {
  stop(): Promise<void>;
}

/** The TXT record of an eSCL scanner (what sane-airscan, NAPS2 and Apple's Image Capture read). */
export function scannerTxt(options: { uuid: string; makeAndModel: string; adminUrl?: string }): Record<string, string> {
  return {
    txtvers: '1',
    vers: '2.63',
    rs: 'eSCL',
    uuid: options.uuid,
    ty: options.makeAndModel,
    pdl: 'image/jpeg',
    cs: 'grayscale,color',
    is: 'platen,adf',
    duplex: 'T',
    ...(options.adminUrl ? { adminurl: options.adminUrl } : {}),
  };
}

/**
 * Announces the scanner on every interface until stopped. A network without multicast only gets a
 * warning in the log: the scanner still answers a typed address.
 */
export function advertiseScanner(options: { name: string; port: number; uuid: string; makeAndModel: string; log?: Logger }): ScannerAdvert {
  const bonjour = new Bonjour({}, (error: unknown) => options.log?.warn('escl-server.mdns-failed', { error: error instanceof Error ? error.message : String(error) }));
  const service = bonjour.publish({ name: options.name, type: 'uscan', protocol: 'tcp', port: options.port, txt: scannerTxt(options), disableIPv6: true });
  service.on('error', (error: unknown) => options.log?.warn('escl-server.mdns-failed', { error: error instanceof Error ? error.message : String(error) }));
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        // unpublishAll sends the goodbye packets; destroy closes the multicast socket. Bounded: a stuck socket must not hold close().
        const timer = setTimeout(resolve, 2000);
        bonjour.unpublishAll(() => {
          bonjour.destroy(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      });
      return stopped;
    },
  };
}
