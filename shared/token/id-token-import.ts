/**
 * Many id tokens at once (a migration, a card batch): a CSV file or a JSON list, each row checked on its own and
 * reported (`created`, `exists`, `invalid`). Rows are created only if absent, so running the same file again reports
 * `exists` for what the first run created and changes nothing; an import never overwrites a token.
 */
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import { NewIdTokenSchema, addIdToken, type NewIdTokenInput } from './id-token-admin.ts';
import { canonicalTokenValue } from './token-value.ts';

/** Rows per request: a bound on the work of one call (a larger file goes in several). */
export const MAX_IMPORT_ROWS = 500;
/** Writes in flight at once: keeps one import from taking the table's burst from charger messages. */
const CONCURRENCY = 10;

export const CSV_COLUMNS = [
  'value',
  'type',
  'status',
  'validUntil',
  'groupId',
  'masterPass',
  'allowedChargers',
  'allowedLocations',
  'cacheLifetimeSeconds',
  'personalMessage',
  'personalMessageFormat',
  'personalMessageLanguage',
  'label',
  'owner',
  'maxConcurrentTransactions',
] as const;

export interface ImportFault {
  readonly field: string;
  readonly detail: string;
}

export interface ImportRow {
  /** 1-based: the data row (the CSV header is not counted), or the list index + 1. */
  readonly row: number;
  readonly type?: string;
  readonly value?: string;
  readonly result: 'created' | 'exists' | 'invalid';
  readonly errors?: readonly ImportFault[];
}

export interface ImportReport {
  readonly created: number;
  readonly exists: number;
  readonly invalid: number;
  readonly rows: readonly ImportRow[];
}

/** The whole input refused (nothing written): what is wrong with it. */
export class ImportInputError extends Error {
  override name = 'ImportInputError';
}

/** RFC 4180 fields: commas, quoted fields with `""` escapes and line breaks inside quotes; CRLF or LF rows. */
const csvRecords = (text: string): string[][] => {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRecord();
    else if (c === '\r') {
      if (text[i + 1] === '\n') i++;
      endRecord();
    } else field += c;
  }
  if (quoted) throw new ImportInputError('The CSV ends inside a quoted field');
  if (field !== '' || record.length) endRecord();
  return records.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
};

/** A list cell: ids separated by `;` or spaces (neither occurs in a charger or location id; commas would need quotes). */
const listCell = (cell: string) => cell.split(/[;\s]+/).filter((id) => id !== '');
const flagCell = (cell: string): boolean | string => (/^true$/i.test(cell) ? true : /^false$/i.test(cell) ? false : cell);
const numberCell = (cell: string) => (/^\d+$/.test(cell) ? Number(cell) : cell);

/**
 * A CSV row as the JSON row it stands for. Cells are text: a flag, a number and a list are read from theirs (a cell
 * that is none stays text, and the row's check says what it should be). The personal message's three columns make
 * one object, `UTF8` unless a format is named.
 */
const fromCsvCells = (cells: Record<string, string>): Record<string, unknown> => {
  const { masterPass, allowedChargers, allowedLocations, cacheLifetimeSeconds, personalMessage, personalMessageFormat, personalMessageLanguage, ...plain } = cells;
  const message = personalMessage ?? personalMessageFormat ?? personalMessageLanguage;
  return {
    ...plain,
    ...(masterPass !== undefined ? { masterPass: flagCell(masterPass) } : {}),
    ...(allowedChargers !== undefined ? { allowedChargers: listCell(allowedChargers) } : {}),
    ...(allowedLocations !== undefined ? { allowedLocations: listCell(allowedLocations) } : {}),
    ...(cacheLifetimeSeconds !== undefined ? { cacheLifetimeSeconds: numberCell(cacheLifetimeSeconds) } : {}),
    ...(message !== undefined
      ? {
          personalMessage: {
            format: personalMessageFormat ?? 'UTF8',
            ...(personalMessageLanguage !== undefined ? { language: personalMessageLanguage } : {}),
            ...(personalMessage !== undefined ? { content: personalMessage } : {}),
          },
        }
      : {}),
  };
};

/** The rows of a CSV with a header line naming its columns (any order, a subset of CSV_COLUMNS). */
export const rowsOfCsv = (text: string): Record<string, unknown>[] => {
  const [header, ...data] = csvRecords(text.replace(/^\uFEFF/, ''));
  if (!header) throw new ImportInputError('The CSV is empty: it needs a header line, e.g. value,type,status');
  const columns = header.map((h) => h.trim());
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) throw new ImportInputError(`Unknown CSV column(s): ${unknown.join(', ')}; columns are ${CSV_COLUMNS.join(', ')}`);
  if (!columns.includes('value')) throw new ImportInputError('The CSV header must name the column value');
  // An empty cell is an absent field (the type then defaults, like a JSON row without it).
  return data.map((cells) =>
    fromCsvCells(Object.fromEntries(columns.flatMap((c, i) => (cells[i] === undefined || cells[i]!.trim() === '' ? [] : [[c, cells[i]!.trim()]])))),
  );
};

/** The rows of a JSON body: a list of tokens, or `{ "tokens": [...] }`. */
export const rowsOfJson = (text: string): unknown[] => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ImportInputError('The body is not JSON (send text/csv for a CSV file)');
  }
  const list = Array.isArray(json) ? json : json !== null && typeof json === 'object' && Array.isArray((json as { tokens?: unknown }).tokens) ? (json as { tokens: unknown[] }).tokens : undefined;
  if (!list) throw new ImportInputError('Send a JSON list of tokens, or { "tokens": [...] }');
  return list;
};

const checkRow = (raw: unknown, row: number): { row: number; input: NewIdTokenInput } | ImportRow => {
  const parsed = NewIdTokenSchema.safeParse(raw);
  if (parsed.success) return { row, input: parsed.data };
  const named = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  return {
    row,
    ...(typeof named.type === 'string' ? { type: named.type } : {}),
    ...(typeof named.value === 'string' ? { value: named.value } : {}),
    result: 'invalid',
    errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(row)', detail: i.message })),
  };
};

/** Checks every row, then creates the valid ones (absent only), a few at a time; the report lists rows in order. */
export const importIdTokens = async (deps: Ports, rows: readonly unknown[], by: string): Promise<ImportReport> => {
  if (rows.length === 0) throw new ImportInputError('No rows to import');
  if (rows.length > MAX_IMPORT_ROWS) throw new ImportInputError(`At most ${MAX_IMPORT_ROWS} rows per import (this has ${rows.length}): split the file`);
  const checked = rows.map((r, i) => checkRow(r, i + 1));
  const report: ImportRow[] = new Array(checked.length);
  // A token named again further down the file is the first row's: `exists`, never a race of two writes over which
  // row reports `created`.
  const named = new Set<string>();
  const repeats = new Set<number>();
  checked.forEach((c, i) => {
    if (!('input' in c)) return;
    const key = `${c.input.type ?? ''}\u0000${canonicalTokenValue(c.input.value)}`;
    if (named.has(key)) repeats.add(i);
    else named.add(key);
  });
  let next = 0;
  const worker = async () => {
    while (next < checked.length) {
      const i = next++;
      const c = checked[i]!;
      if (!('input' in c)) {
        report[i] = c;
        continue;
      }
      if (repeats.has(i)) {
        report[i] = { row: c.row, type: c.input.type, value: c.input.value, result: 'exists' };
        continue;
      }
      const outcome = await addIdToken(deps, c.input, by);
      report[i] = { row: c.row, type: c.input.type, value: c.input.value, result: outcome.ok ? 'created' : 'exists' };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, checked.length) }, worker));
  const count = (r: ImportRow['result']) => report.filter((x) => x.result === r).length;
  return { created: count('created'), exists: count('exists'), invalid: count('invalid'), rows: report };
};

/**
 * An import as sent: `invalid` (nothing written) when the input as a whole is unusable (not CSV / JSON, unknown
 * columns, no rows, too many rows); otherwise the per-row report.
 */
export const importIdTokensFrom = async (deps: Ports, format: 'csv' | 'json', body: string, by: string): Promise<Outcome<ImportReport>> => {
  try {
    const rows = format === 'csv' ? rowsOfCsv(body) : rowsOfJson(body);
    return success(await importIdTokens(deps, rows, by));
  } catch (error) {
    if (error instanceof ImportInputError) return failure('invalid', error.message, '');
    throw error;
  }
};
