import { randomInt } from 'node:crypto';
import { labelValue } from '@streamforge/launchers';

// Lowercase alphanumerics: valid in topic names, collection names, DNS-1123 names and labels.
const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Six random characters [a-z0-9] (36^6 ≈ 2.2e9 per symbol/type/day: collisions are not a concern). */
export function randomSuffix(): string {
  let out = '';
  for (let i = 0; i < 6; i += 1) out += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return out;
}

const compactDay = (day: string) => day.replaceAll('-', '');

/** `wf-<symbol>-<type>-<yyyymmdd>-<suffix>`, e.g. wf-btcusdt-api_candles_1m-20240801-abc123. */
export function queueIdFor(symbol: string, type: string, startDay: string, suffix: string): string {
  return `wf-${symbol.toLowerCase()}-${type}-${compactDay(startDay)}-${suffix}`;
}

/** The suffix of a queue id made by queueIdFor. */
export function suffixOf(queueId: string): string {
  return queueId.slice(-6);
}

/** The data topic of a queue: `<queue_id>-data`. */
export function dataTopicFor(queueId: string): string {
  return `${queueId}-data`;
}

/**
 * `<symbol>_<type>_<yyyy>_<mm>_<dd>`, e.g. btcusdt_api_candles_1m_2024_08_01. ArangoDB collection
 * names must start with a letter, so a symbol starting with a digit (1INCHUSDT) gets a `c_` prefix.
 */
export function collectionNameFor(symbol: string, type: string, startDay: string): string {
  const name = `${symbol.toLowerCase()}_${type}_${startDay.replaceAll('-', '_')}`;
  return /^[a-z]/i.test(name) ? name : `c_${name}`;
}

/** `<target>__<suffix>`: the producer field of the worker's telemetry events. */
export function telemetryIdFor(target: string, suffix: string): string {
  return `${target}__${suffix}`;
}

/**
 * `job-<target>-<symbol>-<suffix>` as a DNS-1123 label: lowercase, [a-z0-9-], at most 63
 * characters; a long target/symbol part is cut, never the suffix that makes the name unique.
 */
export function jobNameFor(target: string, symbol: string, suffix: string): string {
  const clean = (text: string) => text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  const tail = `-${clean(suffix)}`;
  const head = `job-${clean(target)}-${clean(symbol)}`.slice(0, 63 - tail.length).replace(/-+$/, '');
  return `${head}${tail}`;
}

/** Labels of a worker's Job (values at most 63 characters). */
export function workerLabels(queueId: string, target: string): Record<string, string> {
  return { app: 'streamforge', queue_id: labelValue(queueId), target: labelValue(target) };
}
