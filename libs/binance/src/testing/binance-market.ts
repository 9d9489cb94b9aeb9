/**
 * The REST and WebSocket simulators on one clock and one candle seed: what the stream closes,
 * GET /api/v3/klines serves byte for byte.
 */
import { type BinanceSimulator, type BinanceSimulatorOptions, startBinanceSimulator } from './binance-simulator';
import { type BinanceWsSimulator, type BinanceWsSimulatorOptions, startBinanceWsSimulator } from './binance-ws-simulator';
import { SimulatedClock, type SimulatedClockOptions } from './simulated-clock';

export interface BinanceMarketOptions {
  clock?: SimulatedClockOptions;
  seed?: number;
  symbols?: string[];
  rest?: Omit<BinanceSimulatorOptions, 'now' | 'seed' | 'symbols'>;
  ws?: Omit<BinanceWsSimulatorOptions, 'clock' | 'seed' | 'symbols' | 'gaps'>;
}

export interface BinanceMarket {
  clock: SimulatedClock;
  rest: BinanceSimulator;
  ws: BinanceWsSimulator;
  close(): Promise<void>;
}

/** Starts both simulators on a shared (by default accelerated) clock. */
export async function startBinanceMarket(options: BinanceMarketOptions = {}): Promise<BinanceMarket> {
  const clock = new SimulatedClock(options.clock);
  const shared = { seed: options.seed, symbols: options.symbols };
  const rest = await startBinanceSimulator({ ...options.rest, ...shared, now: clock.now });
  const ws = await startBinanceWsSimulator({ ...options.ws, ...shared, clock, gaps: options.rest?.gaps });
  return {
    clock,
    rest,
    ws,
    async close() {
      await Promise.all([rest.close(), ws.close()]);
    },
  };
}
