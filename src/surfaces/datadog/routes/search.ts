import { randomUUID } from 'node:crypto';
import type { SurfaceApp } from '../../../http/app.js';
import { LIMITS } from '../../../domain/limits.js';
import type { Services } from '../../../services/index.js';
import { sendJsonApi } from '../present.js';
import { aggregate } from '../analytics.js';
import { AnalyticsBody, SearchBody, SimpleSearchBody } from '../schemas.js';
import { presentResults, searchAll, searchPage, type SearchItem } from '../search.js';

const DEFAULT_LIMIT = 100;

/**
 * Experimentation search (Datadog's UI search, unstable in its TypeScript client): `search` walks the
 * matches with a cursor and answers 206 while more pages follow; `simple-search` numbers pages.
 */
export function searchRoutes(app: SurfaceApp, services: Services): void {
  app.post('/experimentation/search', {
    schema: { body: SearchBody },
    handler: async (request, reply) => {
      const { filter, page } = request.body.data.attributes;
      const result = await searchPage(services, request.actor, filter, page?.cursor || undefined, page?.limit ?? DEFAULT_LIMIT);
      return sendJsonApi(reply, result.next_cursor ? 206 : 200, {
        data: { id: randomUUID(), type: 'experimentation', attributes: presentResults(result.scopes, result.items) },
        meta: { after: result.next_cursor ?? '' },
      });
    },
  });

  app.post('/experimentation/simple-search', {
    schema: { body: SimpleSearchBody },
    handler: async (request, reply) => {
      const { filter, page, sort } = request.body.data.attributes;
      const limit = page?.limit ?? DEFAULT_LIMIT;
      const current = page?.number ?? 1;
      const { items, scopes } = await searchAll(services, request.actor, filter, LIMITS.pageSizeMax * 10);
      const sorted = sort?.length ? [...items].sort(comparing(sort)) : items;
      const slice = sorted.slice((current - 1) * limit, current * limit);
      return sendJsonApi(reply, 200, {
        data: { id: randomUUID(), type: 'experimentation', attributes: presentResults(scopes, slice) },
        meta: { page: { current, limit, total_count: items.length, total_pages: Math.ceil(items.length / limit) } },
      });
    },
  });

  app.post('/experimentation/analytics', {
    schema: { body: AnalyticsBody },
    handler: async (request, reply) => {
      const attributes = await aggregate(services, request.actor, request.body.data.attributes.aggregate);
      return sendJsonApi(reply, 200, { data: { id: randomUUID(), type: 'experimentation', attributes } });
    },
  });
}

type SortField = { field: 'name' | 'created_at' | 'updated_at'; direction?: 'asc' | 'desc' };

/** The value an item is sorted by: at its top level or under `attributes`. */
function sortValue(item: unknown, field: string): string {
  const holder = item as Record<string, unknown> & { attributes?: Record<string, unknown> };
  const value = holder[field] ?? holder.attributes?.[field];
  return typeof value === 'string' ? value : '';
}

function comparing(sort: readonly SortField[]) {
  return (a: SearchItem, b: SearchItem) => {
    for (const { field, direction } of sort) {
      const order = sortValue(a.item, field).localeCompare(sortValue(b.item, field));
      if (order !== 0) return direction === 'desc' ? -order : order;
    }
    return 0;
  };
}
