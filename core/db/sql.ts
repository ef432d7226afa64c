import pg from 'pg';

/**
 * A statement written once as a template literal: `sql\`SELECT … WHERE id = ${id}\``. The hot paths use these instead
 * of knex's builder, which rebuilds and recompiles the same SQL on every request. Values are kept apart from the text
 * until `inlineSql` escapes them, so a value can never become SQL.
 */
export interface Sql {
  readonly strings: readonly string[];
  readonly values: readonly SqlValue[];
}

export type SqlValue = string | number | boolean | Date | null;

/**
 * A value may itself be an `sql` template: it is spliced in as SQL text, its values kept apart like the others. That
 * lets one statement be written once around the part that varies (say, which rows it applies to).
 */
export function sql(strings: TemplateStringsArray, ...values: Array<SqlValue | Sql>): Sql {
  if (!values.some(isSql)) return { strings, values: values as SqlValue[] };
  const text: string[] = [strings[0]!];
  const spliced: SqlValue[] = [];
  values.forEach((value, i) => {
    if (isSql(value)) {
      text[text.length - 1] += value.strings[0]!;
      text.push(...value.strings.slice(1));
      spliced.push(...value.values);
      text[text.length - 1] += strings[i + 1]!;
    } else {
      spliced.push(value);
      text.push(strings[i + 1]!);
    }
  });
  return { strings: text, values: spliced };
}

export function isSql(statement: unknown): statement is Sql {
  return typeof statement === 'object' && statement !== null && 'strings' in statement && 'values' in statement;
}

/** A value as an escaped SQL literal (standard_conforming_strings, the default since PostgreSQL 9.1). */
export function literal(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  throw new Error(`Cannot write a value of type ${typeof value} as an SQL literal`);
}

/** The statement as one string, for the simple-query protocol (which is what lets several travel in one round trip). */
export function inlineSql({ strings, values }: Sql): string {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) text += literal(values[i]) + strings[i + 1]!;
  return text;
}
