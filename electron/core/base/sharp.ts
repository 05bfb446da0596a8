// sharp (libvips), loaded the first time a page needs it. Loading it costs a process or a page reader
// about 45 ms of start-up (a 10 MB native library and its bindings), and most pages never need it:
// JPEG pages are decoded by libjpeg-turbo and thumbnails are encoded in JavaScript (issue 26).
import { createRequire } from 'node:module';
import type SharpModule from 'sharp';

type SharpFactory = typeof SharpModule;

let loaded: SharpFactory | undefined;

/** sharp itself, loaded once, with the settings every part of the app shares. */
function loadSharp(): SharpFactory {
  if (!loaded) {
    loaded = createRequire(import.meta.url)('sharp') as SharpFactory;
    // One libvips thread per operation (the page readers and workers are the parallelism) and no
    // operation cache (pages are never decoded twice by libvips).
    loaded.concurrency(1);
    loaded.cache(false);
  }
  return loaded;
}

/** Starts a sharp pipeline, as `sharp(...)` does, loading sharp on first use. */
export const sharp = ((...args: Parameters<SharpFactory>) => loadSharp()(...args)) as (...args: Parameters<SharpFactory>) => ReturnType<SharpFactory>;
