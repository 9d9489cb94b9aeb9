import { spawn } from 'node:child_process';

/** Output of a finished child process. */
export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion, capturing stdout+stderr interleaved; rejects only if it cannot be spawned. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(`'${command}' was not found on PATH (needed by tools/local-kafka)`, { cause: err })
          : err,
      );
    });
    child.once('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** Like {@link runCommand} but throws with the command line and its output tail when the exit code is not 0. */
export async function runCommandOrThrow(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${redact(args.join(' '))} exited with code ${String(result.code)}:\n${tailLines(result.output, 40)}`,
    );
  }
  return result.output;
}

/** Last `count` lines of `text`. */
export function tailLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** Message of an unknown thrown value, for wrapping errors with more context. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function redact(commandLine: string): string {
  // Kafka tool arguments may carry SCRAM passwords.
  return commandLine.replace(/password=[^,\]\s]+/g, 'password=***');
}
