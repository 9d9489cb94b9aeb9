/** One `npm run <script> [-- args]` line of the README's "Running things locally" block. */
export interface ReadmeNpmCommand {
  script: string;
  /** The arguments the README passes after `--`, split on spaces. */
  args: string[];
  line: string;
}

/** The `npm run …` lines of the README's "Running things locally" code block, comments dropped. */
export function readmeLocalNpmCommands(readme: string): ReadmeNpmCommand[] {
  const section = readme.split(/^## /m).find((part) => part.startsWith('Running things locally'));
  const block = section ? /```bash\n([\s\S]*?)```/.exec(section)?.[1] : undefined;
  if (!block) throw new Error('README.md has no "## Running things locally" section with a ```bash block');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npm run '))
    .map((line) => {
      const [command, rest = ''] = line.split(/\s+--\s+/, 2) as [string, string?];
      return { script: command.slice('npm run '.length).trim(), args: rest.split(/\s+/).filter(Boolean), line };
    });
}

/**
 * The file `npm run <script>` ends by running with tsx: the last `tsx <file>` of its package.json
 * script (what comes before it builds bundles, which a test run has already built).
 */
export function tsxEntryOf(scripts: Record<string, string>, script: string): string {
  const text = scripts[script];
  if (text === undefined) throw new Error(`package.json has no script "${script}"`);
  const last = text.split('&&').pop()?.trim() ?? '';
  const match = /^tsx\s+(\S+)$/.exec(last);
  if (!match?.[1]) throw new Error(`package.json script "${script}" does not end with \`tsx <file>\`: ${JSON.stringify(text)}`);
  return match[1];
}
