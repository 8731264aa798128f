// How to start a worker thread from a module that may be a .ts file (run through tsx).

/**
 * A worker started from a .ts file needs tsx. On Node 20 `execArgv: ['--import', 'tsx']` does not reach the
 * worker's entry module (its hooks register too late), so a small bootstrap registers tsx's ESM hooks first
 * and then imports the worker. tsx is resolved from this package, so the cwd does not matter. Start it with
 * `new Worker(workerSource(url), { eval: true, execArgv: [] })`.
 */
export const workerSource = (url: URL): string =>
  url.pathname.endsWith('.ts')
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
      `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })` +
      '.catch((e) => { process.nextTick(() => { throw e; }); });'
    : `import(${JSON.stringify(url.href)});`;

/**
 * A module beside `from` (an `import.meta.url`) named `name` with the caller's own extension: `.ts` run from
 * source through tsx, `.js` once compiled (`npm run build`), so a worker's entry is found either way.
 */
export const siblingModule = (name: string, from: string): URL =>
  new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from);

/**
 * The execArgv for such a worker: none of the parent's flags but its export conditions (`--conditions=compiled`
 * in the image), so the worker resolves `@quiver/*` packages to the same compiled files as the main thread.
 */
export const workerExecArgv = (parent: readonly string[] = process.execArgv): string[] => {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i];
    if (arg.startsWith('--conditions=') || arg.startsWith('-C=')) out.push(arg);
    else if ((arg === '--conditions' || arg === '-C') && parent[i + 1] !== undefined)
      out.push(`--conditions=${parent[++i]}`);
  }
  return out;
};
