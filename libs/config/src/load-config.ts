import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { ConfigError } from './config-error';

/** Exit code for bad configuration, as every app documents it. */
export const CONFIG_EXIT_CODE = 2;

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses environment variables (schema keys are the variable names) and command-line flags
 * (schema keys `--flag-name` style are camelCased) once, throwing ConfigError naming the first bad one.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  source: { env?: NodeJS.ProcessEnv; argv?: string[]; flags?: FlagOptions } = {},
): z.infer<S> {
  const env = source.env ?? process.env;
  let flagValues: Record<string, unknown> = {};
  if (source.flags) {
    try {
      flagValues = parseArgs({ args: source.argv ?? process.argv.slice(2), options: source.flags, strict: true }).values;
    } catch (error) {
      throw new ConfigError(`bad command line: ${(error as Error).message}`);
    }
  }
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') input[key] = value;
  for (const [flag, value] of Object.entries(flagValues)) input[camelCase(flag)] = value;

  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue.path.length > 0 ? issue.path.map(String).join('.') : '(config)';
  const label = /^[a-z]/.test(name) ? `--${kebabCase(name)}` : name;
  const shown = input[String(issue.path[0])];
  const got = shown === undefined ? 'it is not set' : `got ${JSON.stringify(redacted(String(issue.path[0]), shown))}`;
  throw new ConfigError(`${label}: ${issue.message} (${got})`);
}

/** A bad value as the error line may show it: never a secret, never a URL's user:password. */
function redacted(name: string, value: unknown): unknown {
  if (/PASSWORD|SECRET|TOKEN|_KEY$/i.test(name)) return '<redacted>';
  return typeof value === 'string' ? value.replace(/(\/\/)[^/@\s]*@/g, '$1<redacted>@') : value;
}

/** loadConfig, but on a ConfigError prints its one line to stderr and exits 2. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, source?: Parameters<typeof loadConfig>[1]): z.infer<S> {
  try {
    return loadConfig(schema, source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.line}\n`);
      process.exit(CONFIG_EXIT_CODE);
    }
    throw error;
  }
}

function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
