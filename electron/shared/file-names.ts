/** Reduces any text to a file-name stem: letters, digits, `.`, `_`, `-` only, runs of anything else as `_`. */
export function safeFileStem(text: string, maxLength = 120): string {
  return text.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, maxLength);
}

/** Why a name cannot be one file or folder name on every system a station or its share may run on. */
export type NameProblem = 'name-empty' | 'dot-name' | 'name-too-long' | 'name-characters' | 'reserved-name' | 'trailing-dot-or-space';

/** Longest name accepted (NTFS and most Unix file systems stop at 255). */
export const maxNameLength = 255;

// Windows maps these to devices whatever follows the first dot (NUL.txt, con.tar.gz) and whatever the
// case; trailing spaces before that dot are dropped too ("NUL .txt"). COM0/LPT0 and the superscript
// digits are reserved on current Windows versions as well.
const reservedStem = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;
// eslint-disable-next-line no-control-regex -- refusing control characters in names is the point
const forbiddenCharacters = /[<>:"/\\|?*\u0000-\u001f]/;

/**
 * The reason `name` cannot be a path segment on Windows, macOS and Linux alike, or null when it can.
 * Every place where an image code or another outside name becomes a file or folder name asks this.
 */
export function findNameProblem(name: string): NameProblem | null {
  if (name === '') return 'name-empty';
  if (name === '.' || name === '..') return 'dot-name';
  if (name.length > maxNameLength) return 'name-too-long';
  if (forbiddenCharacters.test(name)) return 'name-characters';
  if (reservedStem.test((name.split('.')[0] ?? '').replace(/ +$/, ''))) return 'reserved-name';
  // Windows drops trailing dots and spaces: "AB12." would become the folder "AB12", another bill's.
  if (/[. ]$/.test(name)) return 'trailing-dot-or-space';
  return null;
}

/** The form under which two names are the same on a case-insensitive file system (Windows, macOS). */
export function foldNameCase(name: string): string {
  return name.normalize('NFC').toUpperCase();
}

/**
 * Makes a file name from any text that is safe on every system and unique in `used` regardless of
 * case (a reserved or dot-led stem gets a leading `_`, a twin `-2`, `-3`…); records it in `used`.
 */
export function claimFileName(text: string, extension: string, used: Set<string>, maxLength = 120): string {
  let stem = safeFileStem(text.replace(/^[.]+/, '_'), maxLength) || 'file';
  if (findNameProblem(`${stem}${extension}`) !== null) stem = `_${stem}`;
  let name = `${stem}${extension}`;
  for (let n = 2; used.has(foldNameCase(name)); n += 1) name = `${stem}-${n}${extension}`;
  used.add(foldNameCase(name));
  return name;
}
