/**
 * The OpenAPI document is the contract: property-based requests generated from the `/openapi.json`
 * the built queue-manager serves, sent to it, and every answer held to the document.
 *
 * Fails on: any 5xx; an undocumented status or content type; a body that breaks its documented
 * schema; a schema-valid request refused (a 400 may only name fields whose x-server-rules state a
 * check beyond the schema; 401/403/415 never for an operator's valid request); a schema-violating
 * request accepted; an undeclared method on a documented path not answered 405 with its Allow.
 *
 * Workers: every target's bundle is a stand-in that idles until SIGTERM (WORKER_BUNDLE_ROOT), and
 * MAX_RUNNING_QUEUES=2 bounds what valid starts create (the rest answer 429, documented).
 * Seeded and bounded: CONTRACT_SEED (default 16) and CONTRACT_RUNS (default 4000) reproduce or widen
 * a run; a failure prints the seed and fast-check's shrunk (minimal) request.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { KNOWN_TARGETS } from '@streamforge/orchestrator';
import { createSqliteDocumentStore, type DocumentStore } from '@streamforge/storage';
import { writeApiTokenFile } from '@streamforge/queue-api/testing';
import { killAllWorkerProcesses } from '@streamforge/worker/testing';
import { mutatedValueOf, valueOf, type JsonSchema } from './openapi-arbitraries';
import { queueManagerEnv, startQueueManager, type QueueManagerProcess } from './queue-manager-process';

const SEED = Number(process.env.CONTRACT_SEED ?? 16);
const RUNS = Number(process.env.CONTRACT_RUNS ?? 4_000);
const SERVER_RULES = 'x-server-rules';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'] as const;

type Parameter = { name: string; in: 'path' | 'query'; required?: boolean; schema: JsonSchema };
type Response = { content?: Record<string, { schema: JsonSchema }> };
type Operation = { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema; example?: unknown; examples?: Record<string, { value: unknown }> }> }; responses: Record<string, Response> };
type Document = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, JsonSchema> } };

/** One request as generated: what to send, and how it was built (a role, a content type). */
interface ContractRequest {
  method: string;
  template: string;
  path: Record<string, string>;
  query: Record<string, string>;
  body?: unknown;
  contentType?: string;
  role: 'operator' | 'viewer' | 'none';
  /** Picks a queue id or collection a start answered, when there is one (see withKnownNames). */
  known?: number;
}

/** Queue ids and collections that starts answered: reads and stops of them reach their 2xx answers too. */
const knownNames = { queueIds: [] as string[], collections: [] as string[] };

let qm: QueueManagerProcess;
let document: Document;
/** queue-manager's own SQLite file: a started queue's collections are created here, as its sink would. */
let store: DocumentStore;
const apiTokens = writeApiTokenFile(['viewer', 'operator']);

beforeAll(async () => {
  // Stand-in workers: every known target idles until SIGTERM, so a valid start starts nothing real.
  const bundleRoot = mkdtempSync(join(tmpdir(), 'sf-contract-workers-'));
  for (const target of KNOWN_TARGETS) {
    mkdirSync(join(bundleRoot, 'apps', target), { recursive: true });
    writeFileSync(join(bundleRoot, 'apps', target, 'main.js'), "process.on('SIGTERM', () => process.exit(0));\nsetInterval(() => undefined, 1 << 30);\n");
  }
  const env = queueManagerEnv({ API_TOKENS_FILE: apiTokens.path, WORKER_BUNDLE_ROOT: bundleRoot, MAX_RUNNING_QUEUES: '2', MAX_CONCURRENT_STARTS: '1' });
  qm = await startQueueManager(env);
  store = createSqliteDocumentStore({ path: env.SQLITE_PATH as string });
  const served = await fetch(`${qm.url}/openapi.json`, { headers: { authorization: `Bearer ${apiTokens.tokens.viewer}` } });
  document = inlineRefs((await served.json()) as Document) as Document;
}, 60_000);
afterAll(async () => {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([qm?.stop(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('queue-manager did not exit within 15 s of SIGTERM')), 15_000)))]).finally(() => clearTimeout(timer));
  killAllWorkerProcesses();
  await store?.close();
});

describe('the built queue-manager keeps its OpenAPI document', () => {
  it(`answers ${RUNS} generated requests as documented (seed ${SEED})`, async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: false, unicodeRegExp: true });
    addFormats(ajv);
    const validators = new Map<JsonSchema, ValidateFunction>();
    const validate = (schema: JsonSchema, value: unknown) => {
      let compiled = validators.get(schema);
      if (!compiled) validators.set(schema, (compiled = ajv.compile(schema)));
      return compiled(value) ? undefined : ajv.errorsText(compiled.errors);
    };
    process.stdout.write(`openapi contract: seed ${SEED}, ${RUNS} runs (CONTRACT_SEED / CONTRACT_RUNS to change)\n`);
    const started = Date.now();
    const tally = new Map<string, number>();
    /** Whether the requests behind each answer were schema-valid, schema-violating or both (for the summary). */
    const kinds = new Map<string, Set<string>>();
    await fc.assert(
      fc.asyncProperty(requestOf(document), async (generated) => {
        const request = withKnownNames(generated);
        const answer = await send(request);
        const problem = judge(document, request, answer, validate);
        if (problem) throw new Error(`${problem}\n  request: ${describeRequest(request)}\n  answer: ${answer.status} ${answer.contentType} ${answer.text.slice(0, 400)}`);
        const key = `${request.method} ${request.template} ${answer.status}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        const operation = document.paths[request.template]?.[request.method.toLowerCase()];
        if (operation) kinds.set(key, (kinds.get(key) ?? new Set()).add(requestViolation(request, operation, validate) ? 'invalid' : 'valid'));
        if (answer.status === 201) {
          const data = (JSON.parse(answer.text) as { data: { queue_id: string; targets: Array<{ collection_name: string }> } }).data;
          knownNames.queueIds.push(data.queue_id);
          for (const { collection_name: collection } of data.targets) {
            await store.ensureCollection(collection);
            knownNames.collections.push(collection);
          }
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: false },
    );
    process.stdout.write(`openapi contract: ${RUNS} requests in ${((Date.now() - started) / 1000).toFixed(1)} s\n${[...tally].sort().map(([key, count]) => `  ${key}: ${count}${kinds.has(key) ? ` (${[...(kinds.get(key) as Set<string>)].sort().join(' and ')})` : ''}`).join('\n')}\n`);
    // Not only refusals: valid starts reached admission on both start routes (201, or 409/429 once the stand-ins hold
    // the MAX_RUNNING_QUEUES slots: which wins depends on timing), some were admitted, and reads and stops of
    // their queues answered 2xx. A short run may not get there.
    const reached = [
      ['POST /queues/start 201', 'POST /queues/start-test-flow 201'],
      ['POST /queues/start 201', 'POST /queues/start 409', 'POST /queues/start 429'],
      ['POST /queues/start-test-flow 201', 'POST /queues/start-test-flow 409', 'POST /queues/start-test-flow 429'],
      ['GET /queues/{queue_id} 200'], ['POST /queues/stop 200'], ['GET /candles 200'], ['PUT /queues/stop 405'],
    ];
    if (RUNS < 2_000) process.stdout.write(`openapi contract: fewer than 2000 runs, so not checking that it reached ${reached.map((any) => any.join(' or ')).join('; ')}\n`);
    else expect(reached.filter((any) => !any.some((answer) => tally.has(answer))).map((any) => any.join(' or '))).toEqual([]);
  }, 240_000);

  it('upgrades /ws/topic to a WebSocket (101) for a viewer, as documented', async () => {
    expect(Object.keys(document.paths['/ws/topic']?.get?.responses ?? {})).toContain('101');
    const protocol = await new Promise<string>((resolve, reject) => {
      const socket = new WebSocket(`${qm.url.replace('http', 'ws')}/ws/topic`, ['streamforge.v1', `bearer.${apiTokens.tokens.viewer}`]);
      socket.once('open', () => {
        resolve(socket.protocol);
        socket.close();
      });
      socket.once('unexpected-response', (_request, response) => reject(new Error(`/ws/topic answered ${response.statusCode}, not 101`)));
      socket.once('error', reject);
    });
    expect(protocol).toBe('streamforge.v1');
  });
});

/** A third of the requests that name a queue id or collection name one a start answered, once there is one. */
function withKnownNames(request: ContractRequest): ContractRequest {
  const { known } = request;
  if (known === undefined || known % 3 !== 0) return request;
  const queueId = knownNames.queueIds[known % Math.max(knownNames.queueIds.length, 1)];
  const collection = knownNames.collections[known % Math.max(knownNames.collections.length, 1)];
  const copy = structuredClone(request);
  if (queueId && 'queue_id' in copy.path) copy.path.queue_id = queueId;
  if (queueId && copy.body !== null && typeof copy.body === 'object' && 'queue_id' in copy.body) (copy.body as { queue_id: string }).queue_id = queueId;
  if (collection && 'collection' in copy.query) copy.query.collection = collection;
  return copy;
}

/** Requests for every documented operation (valid or mutated) and undeclared methods on documented paths. */
function requestOf(doc: Document): fc.Arbitrary<ContractRequest> {
  const role = fc.constantFrom<ContractRequest['role']>('operator', 'operator', 'operator', 'operator', 'viewer', 'none');
  const operations = Object.entries(doc.paths).flatMap(([template, item]) => Object.entries(item).map(([method, operation]) => ({ template, method: method.toUpperCase(), operation })));
  const documented = operations.map(({ template, method, operation }) => {
    const params = operation.parameters ?? [];
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    return fc.record({
      method: fc.constant(method),
      template: fc.constant(template),
      path: parametersOf(params.filter((p) => p.in === 'path')),
      query: parametersOf(params.filter((p) => p.in === 'query')),
      body: bodySchema ? fc.oneof(valueOf(bodySchema), mutatedValueOf(bodySchema), ...examplesOf(operation)) : fc.constant(undefined),
      contentType: bodySchema ? fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain') : fc.constant(undefined),
      role,
      known: fc.nat(),
    });
  });
  const paths = Object.entries(doc.paths);
  const undeclared = fc
    .tuple(fc.constantFrom(...paths), fc.constantFrom(...METHODS))
    .filter(([[, item], method]) => !(method.toLowerCase() in item))
    .chain(([[template, item], method]) => {
      const params = Object.values(item).flatMap((operation) => operation.parameters ?? []).filter((p) => p.in === 'path');
      return fc.record({ method: fc.constant(method), template: fc.constant(template), path: parametersOf(params, false), query: fc.constant({}), role: fc.constant('operator' as const) });
    })
    // GET /queues/stop is GET /queues/{queue_id}: undeclared only when no template of that path lists the method.
    .filter((request) => !allowedOn(doc, urlOf(request)).split(', ').includes(request.method));
  return fc.oneof({ arbitrary: fc.oneof(...documented), weight: 5 }, { arbitrary: undeclared, weight: 1 });
}

/** The documented request examples (the valid starts among the generated requests come from them). */
function examplesOf(operation: Operation): Array<fc.Arbitrary<unknown>> {
  const media = operation.requestBody?.content['application/json'];
  // @fastify/swagger writes one example as `example`, several as `examples`.
  const examples = [...('example' in (media ?? {}) ? [media?.example] : []), ...Object.values(media?.examples ?? {}).map((example) => example.value)];
  return examples.length > 0 ? [fc.constantFrom(...examples)] : [];
}

/** Parameter values as strings: each valid (usually), broken, or (when optional) left out. */
function parametersOf(params: Parameter[], mutate = true): fc.Arbitrary<Record<string, string>> {
  const entries = params.map((param) => {
    const valid = valueOf(param.schema).map(String);
    const broken = fc.oneof(fc.string({ maxLength: 20, unit: 'grapheme' }), fc.constantFrom('', '0', '-1', '1.5', 'x'.repeat(260)));
    const value = mutate ? fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: broken, weight: 1 }) : valid;
    return [param.name, param.required ? value : fc.option(value, { nil: undefined })] as const;
  });
  return fc.record(Object.fromEntries(entries)).map((record) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, string>);
}

function urlOf(request: ContractRequest): string {
  const path = request.template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(request.path[name] ?? ''));
  const query = new URLSearchParams(request.query).toString();
  return `${path}${query ? `?${query}` : ''}`;
}

/** Sends with node:http: the path exactly as built (no client-side normalization) and any method, TRACE included. */
function send(request: ContractRequest): Promise<{ status: number; contentType: string; allow?: string; text: string }> {
  const headers: Record<string, string> = {};
  if (request.role !== 'none') headers.authorization = `Bearer ${apiTokens.tokens[request.role]}`;
  if (request.contentType) headers['content-type'] = request.contentType;
  const payload = request.contentType ? JSON.stringify(request.body ?? null) : undefined;
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: qm.port, method: request.method, path: urlOf(request), headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), allow: res.headers.allow, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer within 10 s to ${describeRequest(request)}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** What is wrong with this answer to this request, per the document; undefined when nothing is. */
function judge(doc: Document, request: ContractRequest, answer: { status: number; contentType: string; allow?: string; text: string }, validate: (schema: JsonSchema, value: unknown) => string | undefined): string | undefined {
  if (answer.status >= 500) return `server error ${answer.status}`;
  const item = doc.paths[request.template] as Record<string, Operation>;
  const operation = item[request.method.toLowerCase()];
  if (!operation) {
    // An undeclared method: 405, Allow naming what the document lists on this path (and on any other path template it matches).
    const expected = allowedOn(doc, urlOf(request).split('?')[0] as string);
    if (answer.status !== 405) return `undeclared method answered ${answer.status}, not 405`;
    if (answer.allow !== expected) return `405 with Allow ${JSON.stringify(answer.allow)}, not ${JSON.stringify(expected)}`;
    return envelopeProblem(answer.text);
  }
  const documented = operation.responses[String(answer.status)];
  if (!documented) return `undocumented status ${answer.status} (documented: ${Object.keys(operation.responses).join(', ')})`;
  const mediaType = Object.keys(documented.content ?? {}).find((type) => sameMediaType(type, answer.contentType));
  if (!mediaType) return `undocumented content type ${JSON.stringify(answer.contentType)} for ${answer.status} (documented: ${Object.keys(documented.content ?? {}).join(', ')})`;
  const schema = documented.content?.[mediaType]?.schema as JsonSchema;
  const body = mediaType.startsWith('application/json') ? JSON.parse(answer.text) : answer.text;
  const bodyProblem = validate(schema, body);
  if (bodyProblem) return `the ${answer.status} body breaks its documented schema: ${bodyProblem}`;

  const violation = requestViolation(request, operation, validate);
  const ok = answer.status < 300;
  if (ok && operation.responses['401'] && request.role === 'none') return 'accepted from a caller without a token on a route that documents 401';
  if (violation && ok) return `a schema-violating request was accepted (${violation})`;
  if (violation) return undefined;
  const needed = request.method === 'GET' ? ['viewer', 'operator'] : ['operator'];
  if (ok && operation.responses['401'] && !needed.includes(request.role)) return `accepted from ${request.role === 'none' ? 'a caller without a token' : `a ${request.role}`}, though the route needs ${needed.join(' or ')}`;
  if ((answer.status === 401 || answer.status === 403) && needed.includes(request.role)) return `a valid ${request.role} request refused with ${answer.status}`;
  if (answer.status === 415 || answer.status === 413) return `a schema-valid request refused with ${answer.status}`;
  if (answer.status === 400) {
    const errors = (body as { data?: { errors?: Array<{ path: string }> } | null }).data?.errors ?? [];
    if (errors.length === 0) return 'a schema-valid request refused with a 400 that names no field';
    const unexplained = errors.filter((error) => !hasServerRules(operation, request, error.path));
    if (unexplained.length > 0) return `a schema-valid request refused on ${unexplained.map((e) => e.path).join(', ')}, which no x-server-rules explain`;
  }
  return undefined;
}

/** Why the request breaks the document (parameters, content type, body), or undefined when it keeps it. */
function requestViolation(request: ContractRequest, operation: Operation, validate: (schema: JsonSchema, value: unknown) => string | undefined): string | undefined {
  for (const param of operation.parameters ?? []) {
    const raw = (param.in === 'path' ? request.path : request.query)[param.name];
    if (raw === undefined) {
      if (param.required) return `${param.name} missing`;
      continue;
    }
    const value = param.schema.type === 'integer' ? (/^-?\d+$/.test(raw) ? Number(raw) : raw) : raw;
    const problem = validate(param.schema, value);
    if (problem) return `${param.in} ${param.name}: ${problem}`;
  }
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  if (bodySchema) {
    if (request.contentType !== 'application/json') return `content type ${request.contentType}`;
    const problem = validate(bodySchema, request.body);
    if (problem) return `body: ${problem}`;
  }
  return undefined;
}

/** Whether the field a 400 names (dotted path) is documented with x-server-rules, itself or as an item of a documented array. */
function hasServerRules(operation: Operation, request: ContractRequest, fieldPath: string): boolean {
  const [first, ...rest] = fieldPath.split('.');
  const bodySchema = operation.requestBody?.content['application/json']?.schema;
  let node: JsonSchema | undefined = bodySchema && request.body !== undefined ? bodySchema : (operation.parameters ?? []).find((p) => p.name === first)?.schema;
  const steps = bodySchema && request.body !== undefined ? [first, ...rest] : rest;
  let parent: JsonSchema | undefined;
  for (const step of steps) {
    if (!node) return false;
    parent = node;
    node = /^\d+$/.test(step as string) ? (node.items as JsonSchema | undefined) : ((node.properties as Record<string, JsonSchema> | undefined)?.[step as string]);
  }
  if (node && SERVER_RULES in node) return true;
  return Boolean(parent && parent.type === 'array' && SERVER_RULES in parent);
}

/** The Allow a path should get: every method the document lists on the templates it matches, HEAD wherever GET. */
function allowedOn(doc: Document, path: string): string {
  const methods = new Set<string>();
  for (const [template, item] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    if (pattern.test(path)) for (const method of Object.keys(item)) methods.add(method.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort().join(', ');
}

function envelopeProblem(text: string): string | undefined {
  const body = JSON.parse(text) as { status?: unknown; message?: unknown };
  return body.status === 'error' && typeof body.message === 'string' ? undefined : `not the error envelope: ${text.slice(0, 200)}`;
}

/** `text/plain; version=0.0.4; charset=utf-8` documented matches the same answered, in any case and spacing; charset aside for JSON. */
function sameMediaType(documented: string, answered: string): boolean {
  const parts = (type: string) => type.toLowerCase().split(';').map((p) => p.trim()).filter((p) => p && !(type.startsWith('application/json') && p.startsWith('charset=')));
  const [want, got] = [parts(documented), parts(answered)];
  return want[0] === got[0] && want.every((p) => got.includes(p));
}

/** `$ref: #/components/schemas/X` replaced by the schema itself (our document has no recursive schemas). */
function inlineRefs(value: unknown, root: unknown = value): unknown {
  if (Array.isArray(value)) return value.map((v) => inlineRefs(v, root));
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as { $ref?: string }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    return inlineRefs(ref.slice(2).split('/').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root), root);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inlineRefs(v, root)]));
}

function describeRequest(request: ContractRequest): string {
  const body = request.body === undefined ? '' : ` ${request.contentType ?? ''} ${JSON.stringify(request.body).slice(0, 600)}`;
  return `${request.method} ${urlOf(request)} as ${request.role}${body}`;
}
