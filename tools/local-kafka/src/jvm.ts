import { createHash, randomBytes } from 'node:crypto';
import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** The `java` launcher: `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
export function javaExecutable(): string {
  const javaHome = process.env['JAVA_HOME'];
  if (javaHome) {
    const candidate = path.join(javaHome, 'bin', process.platform === 'win32' ? 'java.exe' : 'java');
    if (existsSync(candidate)) return candidate;
  }
  return 'java';
}

/**
 * Flags shared by the broker and the Kafka CLI tools. Measured on a 2-core box (warm jar cache, time until
 * kafkajs describeCluster succeeds): default JVM ~10.5 s, SerialGC + C1-only ~6.6 s, plus an AppCDS
 * archive ~4 s. C1-only code is slower at peak, but a test broker is latency- not throughput-bound.
 * `jit: 'peak'` keeps C2 (benchmarks): C1 has no AES-GCM intrinsics, so a C1-only broker spends ~3.5×
 * the CPU on a SASL_SSL (TLS) load that a production broker does (tools/bench README figures).
 */
export function baseJvmArgs(log4jConfigPath: string, options: { jit?: 'startup' | 'peak' } = {}): string[] {
  return [
    '-Xms64m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    ...(options.jit === 'peak' ? [] : ['-XX:TieredStopAtLevel=1']),
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jConfigPath}`,
    // Escape hatch (e.g. LOCAL_KAFKA_JVM_OPTS='-Xmx1g -XX:TieredStopAtLevel=4'); later flags win.
    ...(process.env['LOCAL_KAFKA_JVM_OPTS'] ?? '').split(/\s+/).filter(Boolean),
  ];
}

/** How a broker JVM uses the AppCDS class-data archive kept next to the jars. */
export interface CdsPlan {
  args: string[];
  /** Call once the JVM has exited; `graceful` = it was not SIGKILLed, so a dumped archive is complete and gets published. */
  afterExit(graceful: boolean): void;
}

/**
 * Uses the broker's AppCDS archive when present; otherwise asks this JVM to dump one at exit into a private
 * temp file that {@link CdsPlan.afterExit} renames into place, so concurrent brokers never read a half-written
 * archive. A stale archive (different jars) is ignored by the JVM with a warning, never fatal (-Xshare:auto).
 */
export function planCds(libsDir: string, canPublish: boolean): CdsPlan {
  // Keyed by the JDK build: an archive dumped by another JVM build is silently unusable, so a JDK
  // upgrade must lead to a fresh dump instead of every later start quietly losing the speed-up.
  const archive = path.join(libsDir, `kafka-broker-cds-${javaBuildKey()}.jsa`);
  if (existsSync(archive)) return { args: [`-XX:SharedArchiveFile=${archive}`], afterExit: () => undefined };
  // A detached broker is stopped by another process that cannot know the temp name: skip dumping there.
  if (!canPublish) return { args: [], afterExit: () => undefined };
  const tmp = `${archive}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  return {
    args: [`-XX:ArchiveClassesAtExit=${tmp}`],
    afterExit: (graceful) => {
      try {
        // A SIGKILLed JVM may leave a truncated file behind; never publish that.
        if (graceful && existsSync(tmp) && statSync(tmp).size > 0 && !existsSync(archive)) renameSync(tmp, archive);
      } catch {
        // Best effort: without the archive the next start is merely ~2 s slower.
      } finally {
        rmSync(tmp, { force: true });
      }
    },
  };
}

function javaBuildKey(): string {
  const executable = javaExecutable();
  const candidates = path.isAbsolute(executable)
    ? [executable]
    : (process.env['PATH'] ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, executable));
  for (const candidate of candidates) {
    try {
      const real = realpathSync(candidate);
      const stat = statSync(real);
      return createHash('sha256').update(`${real}:${stat.size}:${stat.mtimeMs}`).digest('hex').slice(0, 10);
    } catch {
      // Not in this PATH entry.
    }
  }
  return 'unknown-jdk';
}
