import type { Page } from 'playwright-core';

/** Drops a file on the drop zone the way a person's drag does (a real DataTransfer). */
export async function dropFile(page: Page, name: string, bytes: Uint8Array, mime: string, testId = 'drop-zone'): Promise<void> {
  const transfer = await page.evaluateHandle(
    ({ name: fileName, base64, type }) => {
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i += 1) data[i] = binary.charCodeAt(i);
      const dataTransfer = new DataTransfer();
      dataTransfer.items.add(new File([data], fileName, { type }));
      return dataTransfer;
    },
    { name, base64: Buffer.from(bytes).toString('base64'), type: mime },
  );
  await page.getByTestId(testId).dispatchEvent('drop', { dataTransfer: transfer });
}
