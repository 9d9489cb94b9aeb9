import { javaExecutable } from './jvm';
import { runCommandOrThrow } from './run-command';

/** What every Kafka CLI tool invocation needs. */
export interface KafkaToolContext {
  classpath: string;
  jvmArgs: string[];
  cwd: string;
}

function runKafkaTool(ctx: KafkaToolContext, mainClass: string, args: string[]): Promise<string> {
  return runCommandOrThrow(javaExecutable(), [...ctx.jvmArgs, '-cp', ctx.classpath, mainClass, ...args], {
    cwd: ctx.cwd,
  });
}

/** Formats the KRaft log dirs named in `configPath` (optionally seeding one SCRAM-SHA-512 user). */
export async function formatStorage(
  ctx: KafkaToolContext,
  configPath: string,
  clusterId: string,
  scram?: { user: string; password: string },
): Promise<void> {
  const args = ['format', '--cluster-id', clusterId, '--config', configPath];
  if (scram) args.push('--add-scram', `SCRAM-SHA-512=[name=${scram.user},password=${scram.password}]`);
  await runKafkaTool(ctx, 'kafka.tools.StorageTool', args);
}

/** Creates or updates a SCRAM-SHA-512 user on a running broker (for data dirs formatted before SASL was wanted). */
export async function upsertScramUser(
  ctx: KafkaToolContext,
  bootstrapServers: string,
  scram: { user: string; password: string },
): Promise<void> {
  // prettier-ignore
  await runKafkaTool(ctx, 'kafka.admin.ConfigCommand', [
    '--bootstrap-server', bootstrapServers,
    '--alter', '--entity-type', 'users', '--entity-name', scram.user,
    '--add-config', `SCRAM-SHA-512=[password=${scram.password}]`,
  ]);
}
