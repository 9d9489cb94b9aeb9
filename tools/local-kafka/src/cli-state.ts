import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isPidAlive, processCommandLine } from './broker-process';
import type { KafkaSaslEndpoint } from './kafka-broker';

/** What `cli.ts start` records about the detached broker so later `stop`/`status` calls can find it. */
export interface LocalBrokerState {
  pid: number;
  bootstrapServers: string;
  dataDir: string;
  logFile: string;
  kafkaVersion: string;
  startedAt: string;
  sasl?: KafkaSaslEndpoint;
}

/** Reads the state file; undefined when there is none. */
export async function readLocalBrokerState(file: string): Promise<LocalBrokerState | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LocalBrokerState;
  } catch (err) {
    throw new Error(
      `Unreadable local broker state file ${file} (delete it if no broker runs): ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Writes the state file (0600: it may hold the SCRAM password). */
export async function writeLocalBrokerState(file: string, state: LocalBrokerState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the state file if present. */
export async function removeLocalBrokerState(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** True if the recorded pid is alive and (where /proc exists) still a Kafka JVM rather than a recycled pid. */
export function isRecordedBrokerAlive(state: LocalBrokerState): boolean {
  if (!isPidAlive(state.pid)) return false;
  const commandLine = processCommandLine(state.pid);
  return commandLine === undefined || commandLine.includes('kafka.Kafka');
}
