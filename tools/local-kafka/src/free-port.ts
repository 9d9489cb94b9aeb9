import net from 'node:net';

function listenOnEphemeralPort(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`free-port: unexpected server address ${String(address)}`));
      } else {
        resolve(address.port);
      }
    });
  });
}

/** Returns `count` distinct currently-free TCP ports on 127.0.0.1. */
export async function getFreePorts(count: number): Promise<number[]> {
  // All probe servers stay open until every port is known, so the OS cannot hand out one port twice.
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      ports.push(await listenOnEphemeralPort(server));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
