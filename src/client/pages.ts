/** One page of a list: its items and the cursor of the next page (null on the last). */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * Every item of a cursor-paginated list. By default the next page is fetched when the previous one
 * has been read; with `readAhead`, while it is being read (for consumers that read everything).
 */
export async function* allPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, options: { readAhead?: boolean } = {}): AsyncGenerator<T> {
  let next: Promise<Page<T>> | undefined = fetchPage(undefined);
  while (next) {
    const page: Page<T> = await next;
    const cursor = page.next_cursor ?? undefined;
    next = cursor === undefined ? undefined : options.readAhead ? fetchPage(cursor) : undefined;
    // A page fetched ahead and never awaited (the consumer stopped) must not become an unhandled rejection.
    next?.catch(() => undefined);
    yield* page.data;
    if (cursor !== undefined && !next) next = fetchPage(cursor);
  }
}
