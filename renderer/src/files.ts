/** Reads a picked or dropped file as base64 (the IPC contract carries bytes as base64 text). */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // Chunks keep String.fromCharCode's argument list short.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Offers bytes as a download (Electron shows its save dialog; browsers save or ask). */
export function downloadBytes(bytes: Uint8Array | string, name: string, type: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** A picked file's name made acceptable to the bridge: no folders, control or direction characters. */
export function safeUploadName(name: string): string {
  // eslint-disable-next-line no-control-regex -- replacing control characters is the point
  const cleaned = name.replace(/[/\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '_').slice(0, 255);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}
