import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultCacheDir, findRepoRoot } from './repo-root';
import { errorMessage, runCommandOrThrow } from './run-command';

/** The pom that pins the Kafka version: next to `src/`, or at its repo path when this code runs from a build output dir. */
export const LOCAL_KAFKA_POM =
  [path.resolve(__dirname, '..', 'pom.xml'), path.join(findRepoRoot(), 'tools', 'local-kafka', 'pom.xml')].find(
    (candidate) => existsSync(candidate),
  ) ?? path.resolve(__dirname, '..', 'pom.xml');

const COMPLETE_MARKER = '.complete';

/** Kafka version pinned in tools/local-kafka/pom.xml (the single source of truth). */
export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readPom());
  if (!match?.[1]) throw new Error(`No <kafka.version> property in ${LOCAL_KAFKA_POM}`);
  return match[1].trim();
}

/** Directory the jars for the current pom are copied into (changes whenever the pom changes). */
export function kafkaLibsDir(cacheDir: string = defaultCacheDir()): string {
  // Keyed by the pom hash too, so editing a dependency in the pom can never reuse a stale jar set.
  const pomHash = createHash('sha256').update(readPom()).digest('hex').slice(0, 10);
  return path.join(cacheDir, 'libs', `${kafkaVersion()}-${pomHash}`);
}

/** Ensures the Kafka broker jars are in the cache (running Maven only when they are not) and returns the classpath. */
export async function ensureKafkaJars(cacheDir: string = defaultCacheDir()): Promise<string> {
  const libsDir = kafkaLibsDir(cacheDir);
  if (!existsSync(path.join(libsDir, COMPLETE_MARKER))) await downloadJars(libsDir);
  const jars = (await readdir(libsDir)).filter((name) => name.endsWith('.jar')).sort();
  if (jars.length === 0) throw new Error(`Kafka jar cache ${libsDir} is marked complete but holds no jars`);
  return jars.map((name) => path.join(libsDir, name)).join(path.delimiter);
}

async function downloadJars(libsDir: string): Promise<void> {
  // Copy into a private temp dir and rename at the end: concurrent callers (CLI + jest) never see a
  // half-filled cache, and an interrupted download leaves nothing that looks complete.
  const tmpDir = `${libsDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(path.dirname(libsDir), { recursive: true });
  try {
    await runCommandOrThrow(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        LOCAL_KAFKA_POM,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${tmpDir}`,
        '-DincludeScope=runtime',
      ],
      { cwd: path.dirname(LOCAL_KAFKA_POM) },
    );
    await writeFile(path.join(tmpDir, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
    try {
      await rename(tmpDir, libsDir);
    } catch (err) {
      // Another process finished first; its copy is identical, so keep it.
      if (!existsSync(path.join(libsDir, COMPLETE_MARKER))) throw err;
    }
  } catch (err) {
    throw new Error(`Could not fetch Kafka ${kafkaVersion()} jars with Maven into ${libsDir}: ${errorMessage(err)}`, {
      cause: err,
    });
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

function readPom(): string {
  try {
    return readFileSync(LOCAL_KAFKA_POM, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the local-kafka pom at ${LOCAL_KAFKA_POM}`, { cause: err });
  }
}
