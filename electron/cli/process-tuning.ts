/** libuv threads the CLI runs with unless the user chose: one per inspection worker. */
export const cliThreadpoolSize = '2';

/**
 * Sizes libuv's thread pool before its first use. sharp decodes on those threads, and on Linux each
 * one keeps its own glibc malloc arena of freed-but-stranded memory: with the default four, a
 * 1,000-page scanner PDF peaked at 492 MB; with two, 457 MB, at the same speed (`npm run bench`).
 */
export function tuneThreadpool(env: NodeJS.ProcessEnv): void {
  env['UV_THREADPOOL_SIZE'] ??= cliThreadpoolSize;
}
