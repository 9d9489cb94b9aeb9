// Bundles the dashboard (html, css, js; no CDN) into dist/apps/queue-manager/dashboard, beside the
// queue-manager bundle that serves it (queue-manager's build depends on this one and keeps the folder:
// Nx's asset copy skips git-ignored dist/, so the bundle is written in place). Asset names carry a
// content hash so they can be cached forever; only index.html is revalidated. Prints each file's
// raw and gzip size.
// `--watch` rebuilds on change: reload the page served by a running queue-manager bundle.
import { type BuildOptions, type BuildResult, build, context } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = join(__dirname, '..', '..');
const args = process.argv.slice(2);
const watch = args.includes('--watch');
const outDir = join(root, args.find((arg) => !arg.startsWith('--')) ?? 'dist/apps/queue-manager/dashboard');

const options: BuildOptions = {
  absWorkingDir: root,
  entryPoints: [join(__dirname, 'src', 'main.ts')],
  outdir: outDir,
  entryNames: 'dashboard-[hash]',
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  // Browsers of the last ~3 years (laptops of the data team); no polyfills needed.
  target: ['chrome111', 'firefox115', 'safari16.4'],
  sourcemap: 'linked',
  tsconfig: join(__dirname, 'tsconfig.json'),
  metafile: true,
  logLevel: 'warning',
};

/** Writes index.html for the assets of this build and removes those of earlier ones. */
function writeIndex(result: BuildResult): void {
  const outputs = Object.keys(result.metafile?.outputs ?? {}).map((file) => basename(file));
  const js = outputs.find((file) => file.endsWith('.js'));
  const css = outputs.find((file) => file.endsWith('.css'));
  if (!js || !css) throw new Error(`esbuild wrote no js or css: ${outputs.join(', ')}`);
  // Relative URLs: queue-manager serves the assets under /dashboard/ (DASHBOARD_ASSET_PREFIX).
  const html = readFileSync(join(__dirname, 'src', 'index.html'), 'utf8').replace('%JS%', `dashboard/${js}`).replace('%CSS%', `dashboard/${css}`);
  writeFileSync(join(outDir, 'index.html'), html);
  for (const stale of readdirSync(outDir).filter((file) => file !== 'index.html' && !outputs.includes(file))) rmSync(join(outDir, stale));

  let rawTotal = 0;
  let gzipTotal = 0;
  for (const file of ['index.html', css, js]) {
    const path = join(outDir, file);
    const raw = statSync(path).size;
    const gzip = gzipSync(readFileSync(path)).length;
    rawTotal += raw;
    gzipTotal += gzip;
    process.stdout.write(`${relative(root, path)}  ${kb(raw)} (gzip ${kb(gzip)})\n`);
  }
  process.stdout.write(`dashboard total (what a browser loads)  ${kb(rawTotal)} (gzip ${kb(gzipTotal)})\n`);
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  if (!watch) {
    writeIndex(await build(options));
    return;
  }
  const ctx = await context({
    ...options,
    plugins: [{ name: 'index-html', setup: (b) => b.onEnd((result) => (result.errors.length === 0 ? writeIndex(result) : undefined)) }],
  });
  await ctx.watch();
  process.stdout.write(`watching libs/dashboard-ui/src, writing ${relative(root, outDir)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`dashboard bundle failed: ${(error as Error).message}\n`);
  process.exit(1);
});
