/** What a row needs to be named: its id, and the caller's own id for it when it has one. */
export interface Identified {
  id: string;
  external_id?: string | null;
}

/** Hex digits of an id's random part shown at the least. */
const MIN_DIGITS = 6;

/**
 * The random part of an id, as hex digits: of a UUIDv7 (or v8) what follows its 48-bit timestamp and
 * its version and variant bits, so that records made in the same millisecond do not all read the same
 * (the first 8 digits of a UUIDv7 are its timestamp); of any other UUID its 32 digits; of another id the
 * id itself.
 */
export function randomPart(id: string): string {
  const hex = id.toLowerCase().replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/.test(hex)) return id;
  const version = hex[12];
  if (version === '7' || version === '8') return hex.slice(13, 16) + hex.slice(17);
  return hex;
}

/**
 * A label per row that tells the rows of a page apart: the external id when there is one, else the
 * fewest trailing digits of the id's random part (at least 6) that no other row without an external
 * id shares, prefixed with "…". The map is keyed by id.
 */
export function distinctIds(rows: readonly Identified[]): Map<string, string> {
  const labels = new Map<string, string>();
  const unnamed = [...new Set(rows.filter((row) => !row.external_id).map((row) => row.id))];
  const parts = new Map(unnamed.map((id) => [id, randomPart(id)]));
  const longest = Math.max(MIN_DIGITS, ...[...parts.values()].map((part) => part.length));
  let digits = MIN_DIGITS;
  for (; digits < longest; digits += 1) {
    const tails = new Set([...parts.values()].map((part) => part.slice(-digits)));
    if (tails.size === parts.size) break;
  }
  for (const row of rows) {
    if (row.external_id) labels.set(row.id, row.external_id);
    else {
      const part = parts.get(row.id)!;
      labels.set(row.id, part.length > digits ? `…${part.slice(-digits)}` : part);
    }
  }
  return labels;
}

/** The label of one row on its own (a drawer's title): its external id, else the last digits of its random part. */
export function distinctId(row: Identified): string {
  return distinctIds([row]).get(row.id)!;
}
