import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { failure } from './envelope';

/**
 * ws's own handshake refusals (a bad Sec-WebSocket-Key, version, protocol or extensions header:
 * all 400) answered with the error envelope instead of ws's text/html line.
 */
export function answerWsHandshakeErrorsWithEnvelope(server: WebSocketServer): void {
  server.on('wsClientError', (error: Error, socket: Duplex) => {
    const body = JSON.stringify(failure(`WebSocket handshake refused: ${error.message}`));
    const head = ['HTTP/1.1 400 Bad Request', 'Connection: close', 'Content-Type: application/json; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Sec-WebSocket-Version: 13, 8'];
    socket.once('finish', () => socket.destroy());
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
}
