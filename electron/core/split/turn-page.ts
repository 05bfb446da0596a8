import { sharp } from '../base/sharp.js';
import { causeParams, CoreError } from '../base/errors.js';
import type { PagePoint } from './classify-page.js';

/** A stored page turned upright, and whether the turn kept every pixel exactly. */
export interface TurnedPage {
  format: 'jpeg' | 'png';
  bytes: Uint8Array;
  /**
   * True for a PNG page (its pixels reversed and saved again, exactly). A JPEG page is decoded,
   * turned and saved again at `turnedJpegQuality`: neither libvips (sharp) nor the libjpeg-turbo
   * binding the station ships exposes libjpeg's lossless DCT-domain transform (tjTransform /
   * jpegtran), and an A4 scan is rarely a whole number of 8- or 16-pixel blocks high (3508 px at
   * 300 dpi), which a lossless 180° turn needs; so the clerk is told it was saved again.
   */
  lossless: boolean;
}

/** The JPEG quality a turned JPEG page is saved again at (chroma kept at full resolution). */
export const turnedJpegQuality = 95;

/** Turns a stored page 180° (a cover fed upside down), keeping its format, resolution and gray or colour. */
export async function turnPageUpright(page: { format: 'jpeg' | 'png'; bytes: Uint8Array }, name = 'page'): Promise<TurnedPage> {
  try {
    // The page was read already to split the stack: a JPEG the split's decoder took (a short tail,
    // say) is turned as decoded rather than failing the whole stack on a libvips warning.
    const input = sharp(page.bytes, { limitInputPixels: false, failOn: 'none' });
    const meta = await input.metadata();
    // The resolution is kept: the imaging system and the large view size the page by it.
    // (No withMetadata: it would convert a gray page to sRGB colour; EXIF orientation is dropped with the rest.)
    const rotated = input.rotate(180);
    const kept = meta.channels === 1 ? rotated.toColourspace('b-w') : rotated;
    const turned = meta.density ? kept.withDensity(meta.density) : kept;
    if (page.format === 'png') {
      const bilevel = meta.bitsPerSample === 1;
      const bytes = await (bilevel ? turned.png({ palette: true, colours: 2, compressionLevel: 9 }) : turned.png({ compressionLevel: 6 })).toBuffer();
      return { format: 'png', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), lossless: true };
    }
    const bytes = await turned.jpeg({ quality: turnedJpegQuality, chromaSubsampling: '4:4:4' }).toBuffer();
    return { format: 'jpeg', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), lossless: false };
  } catch (error) {
    throw new CoreError('corrupt-image', { name, ...causeParams(error) }, { cause: error });
  }
}

/** Turns a thumbnail (PNG) 180°, exactly. */
export async function turnThumbnailUpright(png: Uint8Array): Promise<Uint8Array> {
  const bytes = await sharp(png).rotate(180).png({ compressionLevel: 2 }).toBuffer();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Where points (shares of the page) are on the page turned 180°. */
export function turnPointsUpright(points: PagePoint[]): PagePoint[] {
  return points.map((point) => ({ x: 1 - point.x, y: 1 - point.y }));
}
