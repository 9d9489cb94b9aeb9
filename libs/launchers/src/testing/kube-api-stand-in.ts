import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedKubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  authorization?: string;
}

type Job = { metadata: { name: string; namespace?: string; labels?: Record<string, string>; uid?: string; creationTimestamp?: string }; [key: string]: unknown };

/**
 * A local stand-in of the Kubernetes API server's batch/v1 Job endpoints (create, list with a
 * label selector, delete), written from the API reference: it records every request and keeps the
 * created Jobs, and writes a kubeconfig pointing at itself.
 */
export class KubeApiStandIn {
  readonly requests: RecordedKubeRequest[] = [];
  readonly jobs = new Map<string, Job>();
  /** Answer the next create with this status (e.g. 403, 500) instead of creating the Job. */
  failNextCreate?: { status: number; message: string };
  kubeconfigPath = '';
  private server?: Server;
  private static readonly token = 'stand-in-token';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    const port = (this.server.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'kube-stand-in-'));
    this.kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(
      this.kubeconfigPath,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: stand-in\n  cluster:\n    server: http://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
        'users:',
        `- name: stand-in\n  user:\n    token: ${KubeApiStandIn.token}`,
        'contexts:',
        '- name: stand-in\n  context:\n    cluster: stand-in\n    user: stand-in\n    namespace: stf',
        'current-context: stand-in',
        '',
      ].join('\n'),
    );
    return this;
  }

  /** Requests that created a Job, with the Job as sent. */
  createdJobs(): Job[] {
    return this.requests.filter((r) => r.method === 'POST').map((r) => r.body as Job);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const text = await new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      req.on('end', () => resolve(data));
    });
    const recorded: RecordedKubeRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization };
    if (text) recorded.body = JSON.parse(text);
    this.requests.push(recorded);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string) => send(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

    if (req.headers.authorization !== `Bearer ${KubeApiStandIn.token}`) return status(401, 'Unauthorized', 'Unauthorized');
    const collection = url.pathname.match(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/);
    const item = url.pathname.match(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/);
    if (collection && req.method === 'POST') {
      const job = recorded.body as Job;
      if (this.failNextCreate) {
        const { status: code, message } = this.failNextCreate;
        this.failNextCreate = undefined;
        return status(code, code === 403 ? 'Forbidden' : 'InternalError', message);
      }
      if (job.metadata.namespace && job.metadata.namespace !== collection[1]) {
        return status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      const key = `${collection[1]}/${job.metadata.name}`;
      if (this.jobs.has(key)) return status(409, 'AlreadyExists', `jobs.batch "${job.metadata.name}" already exists`);
      const created = { ...job, metadata: { ...job.metadata, namespace: collection[1], uid: `uid-${this.jobs.size + 1}`, creationTimestamp: new Date().toISOString() }, status: {} };
      this.jobs.set(key, created);
      return send(201, created);
    }
    if (collection && req.method === 'GET') {
      const selector = parseSelector(url.searchParams.get('labelSelector') ?? '');
      const items = [...this.jobs.entries()]
        .filter(([key, job]) => key.startsWith(`${collection[1]}/`) && Object.entries(selector).every(([k, v]) => job.metadata.labels?.[k] === v))
        .map(([, job]) => job);
      return send(200, { kind: 'JobList', apiVersion: 'batch/v1', metadata: { resourceVersion: '1' }, items });
    }
    if (item && req.method === 'DELETE') {
      const key = `${item[1]}/${item[2]}`;
      if (!this.jobs.delete(key)) return status(404, 'NotFound', `jobs.batch "${item[2]}" not found`);
      return send(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: item[2], group: 'batch', kind: 'jobs' } });
    }
    return status(404, 'NotFound', `the stand-in does not serve ${req.method} ${url.pathname}`);
  }
}

function parseSelector(selector: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of selector.split(',').filter(Boolean)) {
    const [key, value] = part.split('=');
    out[key] = value;
  }
  return out;
}
