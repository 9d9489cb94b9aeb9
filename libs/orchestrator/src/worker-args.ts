import type { FieldError } from '@streamforge/schemas';
import type { KnownTarget } from './targets';

/** What a flag takes: nothing, or one value checked against a bound. */
type FlagRule = { value: 'none' } | { value: 'integer' | 'number'; min: number; max: number };

const DEBUG: Record<string, FlagRule> = { '--debug': { value: 'none' } };

/**
 * The only command-line flags a caller may pass to each worker, with their value rules. Free text
 * never reaches a container's argv: `["sh", "-c", …]` would otherwise run a shell holding the
 * worker's credentials. dummy-service's flags are those of apps/dummy-service/src/dummy-config.ts.
 */
export const ALLOWED_WORKER_FLAGS: Readonly<Record<KnownTarget, Readonly<Record<string, FlagRule>>>> = {
  'loader-api-candles': DEBUG,
  'loader-ws-candles': DEBUG,
  'arango-candles': DEBUG,
  'dummy-service': {
    ...DEBUG,
    '--noop': { value: 'none' },
    '--exit-on-ping': { value: 'none' },
    '--simulate-loading': { value: 'none' },
    '--exit-after': { value: 'integer', min: 1, max: 86_400 },
    '--fail-after': { value: 'integer', min: 1, max: 86_400 },
    '--loading-interval': { value: 'number', min: 0.1, max: 3_600 },
    '--start-delay': { value: 'number', min: 0, max: 600 },
  },
};

const DECIMAL = /^\d{1,6}(\.\d{1,3})?$/;

/**
 * Checks a worker's args against its allow-list and returns them normalized (`--flag=v` becomes
 * `--flag v`), or the errors, each naming the offending argument by its index under `path`.
 */
export function checkWorkerArgs(target: KnownTarget, args: readonly string[], path: string): { args: string[]; errors: FieldError[] } {
  const allowed = ALLOWED_WORKER_FLAGS[target];
  const accepted = Object.keys(allowed).join(', ');
  const errors: FieldError[] = [];
  const normalized: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const raw = args[index];
    const [flag, inline] = raw.startsWith('--') && raw.includes('=') ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)] : [raw, undefined];
    const rule = Object.hasOwn(allowed, flag) ? allowed[flag] : undefined;
    if (!rule) {
      errors.push({ path: `${path}.${index}`, message: `${JSON.stringify(clip(flag))} is not a flag ${target} accepts; accepted flags: ${accepted}` });
      continue;
    }
    if (rule.value === 'none') {
      if (inline !== undefined) errors.push({ path: `${path}.${index}`, message: `${flag} takes no value (got ${JSON.stringify(clip(raw))})` });
      else normalized.push(flag);
      continue;
    }
    const value = inline ?? args[index + 1];
    if (inline === undefined) index += 1;
    const expected = `${rule.value === 'integer' ? 'an integer' : 'a number'} from ${rule.min} to ${rule.max}`;
    const number = value !== undefined && DECIMAL.test(value) ? Number(value) : Number.NaN;
    if (value === undefined) errors.push({ path: `${path}.${index}`, message: `${flag} needs a value: ${expected}` });
    else if (Number.isNaN(number) || (rule.value === 'integer' && !Number.isInteger(number)) || number < rule.min || number > rule.max) {
      errors.push({ path: `${path}.${index}`, message: `${flag} takes ${expected} (got ${JSON.stringify(clip(value))})` });
    } else normalized.push(flag, value);
  }
  return { args: normalized, errors };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
