/** What a span says of a statement: its operation and, when one is plain to see, its table. */
export interface SqlSummary {
  /** The statement's first keyword, upper case: `SELECT`, `INSERT`, `BEGIN`… */
  operation: string;
  collection?: string;
}

/** A table name, quoted as SQLite or MySQL quote one (`"t"`, `` `t` ``, `[t]`) or bare. */
const NAME = String.raw`(?:"([^"]+)"|\x60([^\x60]+)\x60|\[([^\]]+)\]|([A-Za-z_][\w$]*))`;

/** Where each operation names its table; a `SELECT`'s first `FROM` (its joins are not named). */
const TABLE_OF: Record<string, RegExp> = {
  INSERT: new RegExp(String.raw`\binto\s+${NAME}`, 'i'),
  REPLACE: new RegExp(String.raw`\binto\s+${NAME}`, 'i'),
  UPDATE: new RegExp(String.raw`^\s*update\s+(?:or\s+\w+\s+)?${NAME}`, 'i'),
  // The first FROM, whatever follows: a subquery's table is not the statement's.
  DELETE: new RegExp(String.raw`\bfrom\s+${NAME}?`, 'i'),
  SELECT: new RegExp(String.raw`\bfrom\s+${NAME}?`, 'i'),
};

/**
 * The semantic conventions' operation and collection names of a statement, read from its text
 * (TypeORM's, or the platform's own): cheap, and wrong only by leaving the table out when the
 * first `FROM` is a subquery's.
 */
export function sqlSummary(statement: string): SqlSummary {
  const operation = /^\s*([A-Za-z]+)/.exec(statement)?.[1]?.toUpperCase() ?? 'SQL';
  const match = TABLE_OF[operation]?.exec(statement);
  const collection = match?.slice(1).find((name) => name !== undefined);
  return collection ? { operation, collection } : { operation };
}
