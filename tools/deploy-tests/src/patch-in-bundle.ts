/** One patched file of a patch-package patch, and whether a bundle carries its code. */
export interface PatchedFileReport {
  file: string;
  /** Added lines distinctive enough to look for (not a brace, not a moved line, not a comment). */
  distinctive: number;
  found: number;
}

const normalize = (line: string) => line.trim().replace(/'/g, '"').replace(/\s+/g, ' ').replace(/;$/, '');
/** Shorter lines (`}`, `return result`) occur all over a bundle and prove nothing. */
const MIN_DISTINCTIVE_LENGTH = 25;

/**
 * For each file a patch changes, how many of its distinctive added lines appear as whole lines of the
 * bundle. esbuild (no minification) keeps statements one per line but rewrites quotes and semicolons,
 * so both sides are normalized; lines the patch only re-indents (present as removed lines too) and
 * comments (esbuild drops them) are not counted, nor lines a bundle of the stock package has too.
 */
export function patchedCodeInBundle(patch: string, bundle: string, stockBundle = ''): PatchedFileReport[] {
  const bundleLines = new Set(bundle.split('\n').map(normalize));
  const stockLines = new Set(stockBundle.split('\n').map(normalize));
  const files: Array<{ file: string; added: string[]; removed: Set<string> }> = [];
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++ ')) files.push({ file: line.replace(/^\+\+\+ b\//, ''), added: [], removed: new Set() });
    else if (line.startsWith('--- ') || files.length === 0) continue;
    else if (line.startsWith('+')) files[files.length - 1].added.push(normalize(line.slice(1)));
    else if (line.startsWith('-')) files[files.length - 1].removed.add(normalize(line.slice(1)));
  }
  return files.map(({ file, added, removed }) => {
    const distinctive = added.filter((code) => code.length >= MIN_DISTINCTIVE_LENGTH && !/^(\/\/|\/\*|\*)/.test(code) && !removed.has(code) && !stockLines.has(code));
    return { file, distinctive: distinctive.length, found: distinctive.filter((code) => bundleLines.has(code)).length };
  });
}
