// The Troubleshoot page: the look-up, the recent bills, the diagnostic bundle and the self-check, one under the other.
import { useRef, useState } from 'react';
import { BundlePanel } from './bundle-panel.js';
import { LookupPanel } from './lookup-panel.js';
import { RecentPanel } from './recent-panel.js';
import { SelfCheckPanel } from './self-check-panel.js';

/**
 * The Troubleshoot page: "no image" traced by image code, bill number or day (a pasted Excel column
 * works), each code's verdict in large colours with its evidence, the next step and who owns it; the
 * bills this station uploaded with the imaging system's status on demand; the diagnostic bundle; and
 * the station self-check. What was looked up stays when the clerk looks at another page.
 */
export function TroubleshootArea() {
  // The codes last traced (the bundle's "only these codes"), and the look-up's entry point for the recent-bills table.
  const [traced, setTraced] = useState<string[]>([]);
  const traceCodeRef = useRef<(code: string) => void>(() => undefined);
  return (
    <>
      <LookupPanel onTraced={setTraced} traceCodeRef={traceCodeRef} />
      <RecentPanel onTrace={(code) => traceCodeRef.current(code)} />
      <BundlePanel codes={traced} />
      <SelfCheckPanel />
    </>
  );
}
