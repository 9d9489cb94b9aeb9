/**
 * Runs the Binance simulator as a standalone process:
 *   tsx libs/binance/src/testing/binance-simulator-cli.ts [--port 8090] [--weight-limit N|off]
 *       [--window-ms N] [--latency-ms N] [--seed N] [--ws-port N]
 * `--ws-port` also starts the kline WebSocket simulator (same candles, real-time clock) and prints
 * `BINANCE_WS_BASE_URL=ws://127.0.0.1:<port>` first.
 * The last line printed is `BINANCE_BASE_URL=http://127.0.0.1:<port>` so scripts can eval it.
 */
import { type BinanceSimulatorOptions, startBinanceSimulator } from './binance-simulator';
import { type BinanceWsSimulator, startBinanceWsSimulator } from './binance-ws-simulator';

function parseArgs(argv: readonly string[]): BinanceSimulatorOptions & { wsPort?: number } {
  const opts: BinanceSimulatorOptions & { wsPort?: number } = {};
  const number = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < 0) {
      throw new Error(`${flag} needs a non-negative number, got ${value ?? 'nothing'}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--port':
        opts.port = number(flag, value);
        break;
      case '--weight-limit':
        opts.weightLimit = value === 'off' ? null : number(flag, value);
        break;
      case '--window-ms':
        opts.weightWindowMs = number(flag, value);
        break;
      case '--latency-ms':
        opts.latencyMs = number(flag, value);
        break;
      case '--seed':
        opts.seed = number(flag, value);
        break;
      case '--ws-port':
        opts.wsPort = number(flag, value);
        break;
      default:
        throw new Error(`unknown argument ${flag ?? ''}`);
    }
    i++;
  }
  return opts;
}

async function main(): Promise<void> {
  const { wsPort, ...opts } = parseArgs(process.argv.slice(2));
  const sim = await startBinanceSimulator(opts);
  let ws: BinanceWsSimulator | undefined;
  if (wsPort !== undefined) {
    ws = await startBinanceWsSimulator({ port: wsPort, seed: opts.seed, symbols: opts.symbols });
    process.stdout.write(`BINANCE_WS_BASE_URL=${ws.url}\n`);
  }
  const limit = opts.weightLimit === null ? 'off' : String(opts.weightLimit ?? 6000);
  process.stdout.write(
    `binance-simulator: weight limit ${limit} per ${opts.weightWindowMs ?? 60_000} ms, ` +
      `latency ${opts.latencyMs ?? 0} ms; Ctrl-C to stop\n`,
  );
  process.stdout.write(`BINANCE_BASE_URL=${sim.url}\n`);
  const stop = (): void => {
    Promise.all([sim.close(), ws?.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`binance-simulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
