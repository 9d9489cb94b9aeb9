import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Facts about a data dir that must survive restarts (kept in `<dataDir>/local-kafka.json`). */
export interface DataDirState {
  clusterId: string;
  /** SCRAM-SHA-512 users known to exist in this cluster's metadata, with their passwords. */
  scramUsers: Record<string, string>;
}

const STATE_FILE = 'local-kafka.json';

/** Reads the data dir's state, or creates a fresh one (new cluster id, no users) if there is none yet. */
export async function loadDataDirState(dataDir: string): Promise<DataDirState> {
  const file = path.join(dataDir, STATE_FILE);
  if (!existsSync(file)) return { clusterId: newClusterId(), scramUsers: {} };
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<DataDirState>;
    if (typeof parsed.clusterId !== 'string') throw new Error('clusterId missing');
    return { clusterId: parsed.clusterId, scramUsers: parsed.scramUsers ?? {} };
  } catch (err) {
    throw new Error(
      `Corrupt local Kafka state file ${file} (delete the data dir to start over): ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Persists the data dir's state. */
export async function saveDataDirState(dataDir: string, state: DataDirState): Promise<void> {
  await writeFile(path.join(dataDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** True once StorageTool has formatted `logDirs` (it writes meta.properties last). */
export function isFormatted(logDirs: string): boolean {
  return existsSync(path.join(logDirs, 'meta.properties'));
}

function newClusterId(): string {
  // Same shape as `kafka-storage random-uuid` (16 random bytes, base64url) without paying for a JVM start.
  // Kafka itself never hands out ids starting with '-' because CLIs would read them as flags.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
