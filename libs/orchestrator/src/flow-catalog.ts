import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { isKlineInterval } from '@streamforge/binance';
import { dataTypeSchema, describeIssues, type FieldError, type FlowParams, type StartFlowRequest, type StartQueueRequest } from '@streamforge/schemas';
import { OrchestratorError, RequestError } from './errors';
import { intervalOfType, INTERVAL_LIST, knownTargetNames, resolveTarget, type KnownTarget } from './targets';
import { REPLICATED_TARGET, SPLIT_TARGET } from './target-instances';
import { checkWorkerArgs } from './worker-args';

const flowTargetSchema = z.strictObject({
  target: z.string().min(1),
  type: dataTypeSchema.optional(),
  interval: z.string().optional(),
  args: z.array(z.string()).default([]),
});

const flowSchema = z.strictObject({
  description: z.string().default(''),
  type: dataTypeSchema.describe('data type of every target unless extra_params changes it'),
  targets: z.array(flowTargetSchema).min(1),
});

const flowFileSchema = z.strictObject({ flows: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'flow names are lowercase snake_case'), flowSchema) });

export type Flow = z.infer<typeof flowSchema>;
export type FlowCatalog = Record<string, Flow>;

/** The flows file cannot be used: queue-manager refuses to start (a configuration error). */
export class FlowFileError extends OrchestratorError {
  override name = 'FlowFileError';
  constructor(readonly path: string, reason: string) {
    super(`flows file ${path}: ${reason}`, 500, false);
  }
}

/** Reads and checks the flows YAML shipped with queue-manager. */
export function loadFlowCatalog(path: string): FlowCatalog {
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new FlowFileError(path, (error as Error).message);
  }
  const result = flowFileSchema.safeParse(document);
  if (!result.success) throw new FlowFileError(path, describeIssues(result.error, document));
  for (const [name, flow] of Object.entries(result.data.flows)) {
    flow.targets.forEach((t, index) => {
      const target = resolveTarget(t.target);
      if (!target) throw new FlowFileError(path, `flows.${name}.targets.${index}.target: unknown target "${t.target}"; known targets: ${knownTargetNames().join(', ')}`);
      const [argsError] = checkWorkerArgs(target, t.args, `flows.${name}.targets.${index}.args`).errors;
      if (argsError) throw new FlowFileError(path, `${argsError.path}: ${argsError.message}`);
    });
  }
  return result.data.flows;
}

/** Turns a flow request into the multi-target start request it stands for. */
export function flowToStartRequest(catalog: FlowCatalog, request: StartFlowRequest): StartQueueRequest {
  const flow = catalog[request.flow_name];
  if (!flow) {
    const known = Object.keys(catalog).sort();
    throw new RequestError([{ path: 'flow_name', message: `unknown flow (got "${request.flow_name}"); known flows: ${known.join(', ')}` }], known);
  }
  const extra = request.extra_params ?? {};
  if (extra.interval !== undefined && !isKlineInterval(extra.interval)) {
    throw new RequestError([{ path: 'extra_params.interval', message: `unknown kline interval (got "${extra.interval}"); expected one of ${INTERVAL_LIST}` }]);
  }
  const countErrors = instanceCountErrors(request.flow_name, flow, extra);
  if (countErrors.length > 0) throw new RequestError(countErrors);
  const argErrors = flow.targets.flatMap((t) => checkWorkerArgs(resolveTarget(t.target) as KnownTarget, extra.args ?? [], 'extra_params.args').errors);
  if (argErrors.length > 0) throw new RequestError(uniqueByPath(argErrors));
  let type = extra.type ?? flow.type;
  if (extra.interval !== undefined && extra.type === undefined && intervalOfType(flow.type) !== undefined) type = `api_candles_${extra.interval}`;
  return {
    symbol: request.symbol,
    time_range: request.time_range,
    type,
    targets: flow.targets.map((t) => ({
      target: t.target,
      type: extra.type ?? (extra.interval !== undefined ? undefined : t.type),
      interval: extra.interval ?? t.interval,
      args: [...t.args, ...(extra.args ?? [])],
      ...(extra.indicators !== undefined && resolveTarget(t.target) === 'arango-candles' ? { indicators: extra.indicators } : {}),
      ...(extra.replicas !== undefined && resolveTarget(t.target) === REPLICATED_TARGET ? { replicas: extra.replicas } : {}),
      ...(extra.splits !== undefined && resolveTarget(t.target) === SPLIT_TARGET ? { splits: extra.splits } : {}),
    })),
  };
}

/** `replicas`/`splits` apply to the flow's sink/loader targets: a flow without one cannot take it. */
function instanceCountErrors(flowName: string, flow: Flow, extra: FlowParams): FieldError[] {
  const has = (target: string) => flow.targets.some((t) => resolveTarget(t.target) === target);
  const errors: FieldError[] = [];
  if (extra.replicas !== undefined && !has(REPLICATED_TARGET)) errors.push({ path: 'extra_params.replicas', message: `flow ${flowName} has no ${REPLICATED_TARGET} target to run as replicas (got ${extra.replicas})` });
  if (extra.splits !== undefined && !has(SPLIT_TARGET)) errors.push({ path: 'extra_params.splits', message: `flow ${flowName} has no ${SPLIT_TARGET} target to split (got ${extra.splits})` });
  return errors;
}

/** The same bad extra argument reported once, not once per target of the flow. */
function uniqueByPath(errors: FieldError[]): FieldError[] {
  return [...new Map(errors.map((e) => [e.path, e])).values()];
}
