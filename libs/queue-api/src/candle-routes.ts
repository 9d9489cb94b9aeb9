import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { candlePageSchema, candlesQuerySchema, successEnvelope } from '@streamforge/schemas';
import { AUTHENTICATED, errorResponses } from './documented-errors';
import { type CandleReader, type KnownCollectionCheck, readCandlePage } from './candle-page';
import { success } from './envelope';

/** `GET /candles`: the stored candles of a collection, page by page (the dashboard chart reads it). */
export function registerCandleRoutes(app: FastifyInstance, deps: { store: CandleReader; isKnownCollection: KnownCollectionCheck }): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/candles',
    {
      schema: {
        tags: ['candles'],
        summary: 'One page of a collection\u2019s stored candles, oldest first',
        description: 'Bounds are inclusive on open_time. Read the next page by passing data.next_from as from (null on the last page).',
        querystring: candlesQuerySchema,
        response: { 200: successEnvelope(candlePageSchema), ...errorResponses(...AUTHENTICATED, 400, 404) },
      },
    },
    async (request) => {
      const page = await readCandlePage(deps.store, deps.isKnownCollection, request.query);
      return success(`${page.candles.length} candle(s)${page.next_from === null ? '' : '; more from next_from'}`, page);
    },
  );
}
