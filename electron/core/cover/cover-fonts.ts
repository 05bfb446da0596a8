import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The CJK font files covers are set in (Noto Sans SC, SIL Open Font License 1.1). */
export interface CoverFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

/** File names the build copies into dist/assets/fonts (with the OFL text). */
export const coverFontFiles = { regular: 'NotoSansSC-Regular.ttf', bold: 'NotoSansSC-Bold.ttf' } as const;

/**
 * Where the fonts are: beside a built bundle (dist/assets/fonts, one level up from dist/cli or
 * dist/electron; see scripts/build.mjs), else in the installed npm package (source checkout).
 */
export function resolveCoverFontPaths(): { regular: string; bold: string } {
  const bundled = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'fonts');
  if (existsSync(path.join(bundled, coverFontFiles.regular))) {
    return { regular: path.join(bundled, coverFontFiles.regular), bold: path.join(bundled, coverFontFiles.bold) };
  }
  const root = path.dirname(createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/package.json'));
  return { regular: path.join(root, '400Regular', 'NotoSansSC_400Regular.ttf'), bold: path.join(root, '700Bold', 'NotoSansSC_700Bold.ttf') };
}

let cached: Promise<CoverFonts> | undefined;

/** Reads the cover fonts once per thread (about 21 MB; only the glyphs used are embedded). */
export function loadCoverFonts(): Promise<CoverFonts> {
  cached ??= (async () => {
    const paths = resolveCoverFontPaths();
    const [regular, bold] = await Promise.all([readFile(paths.regular), readFile(paths.bold)]);
    return { regular, bold };
  })();
  return cached;
}
