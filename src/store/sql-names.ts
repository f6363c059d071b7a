/** Quotes an SQL identifier (table, column, schema) for both SQLite and PostgreSQL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
