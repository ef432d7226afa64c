/** Follows cursor pages to the end (for small collections the dashboard filters locally, like assistants). */
export async function listAll<T extends { id: string }>(page: (startingAfter: string | undefined) => Promise<{ data: T[]; has_more: boolean }>, max = 1000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const result = await page(cursor);
    items.push(...result.data);
    if (!result.has_more || items.length >= max || result.data.length === 0) return items;
    cursor = result.data.at(-1)!.id;
  }
}
