/**
 * Registering many chargers at once (migration from another CSMS): a CSV file or a JSON list, each row checked
 * like a POST /chargers body and registered with the same function, and a report per row. Re-running a file is
 * safe: a charger that exists is reported `exists` and left as it is (its password is not changed).
 */
import { CreateChargerSchema } from './charger-schema.ts';
import { registerCharger } from './charger-api.ts';
import type { CredentialPorts } from './registry.ts';

/**
 * Rows one request may carry. A chosen password is hashed with scrypt (about 40 ms of one vCPU), so this keeps a
 * request of chosen passwords well within API Gateway's 29 s; larger files go in several requests (or the CLI).
 */
export const MAX_IMPORT_ROWS = 250;

export interface ImportRowReport {
  /** Data rows count from 1 (a CSV's header is not counted). */
  readonly row: number;
  readonly id?: string;
  readonly status: 'created' | 'exists' | 'invalid';
  readonly detail?: string;
  /** A password generated for this charger: shown once. */
  readonly password?: string;
}

export class ImportFormatError extends Error {
  override name = 'ImportFormatError';
}

/** CSV columns and the fields they fill (`id` is the usual header of other systems' exports). */
const COLUMNS: Readonly<Record<string, string>> = {
  id: 'chargerId',
  chargerid: 'chargerId',
  password: 'password',
  locationid: 'locationId',
  registrationstatus: 'registrationStatus',
  securityprofile: 'securityProfile',
  defaultprotocol: 'defaultProtocol',
  label: 'label',
  description: 'description',
};

/** RFC 4180 fields: commas, CRLF or LF line ends, double quotes around a field and `""` for a quote inside one. */
const csvRecords = (text: string): string[][] => {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field), records.push(record), (record = []), (field = '');
    } else field += c;
  }
  if (quoted) throw new ImportFormatError('CSV: a quoted field is not closed');
  if (field !== '' || record.length > 0) record.push(field), records.push(record);
  return records.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
};

const fromCsv = (text: string): Record<string, unknown>[] => {
  const [header, ...rows] = csvRecords(text.replace(/^\uFEFF/, ''));
  if (!header) throw new ImportFormatError('CSV: no header row (id,password,locationId,...)');
  const fields = header.map((h) => COLUMNS[h.trim().toLowerCase()]);
  const unknown = header.filter((_, i) => fields[i] === undefined);
  if (unknown.length) throw new ImportFormatError(`CSV: unknown column(s) ${unknown.join(', ')}; columns are ${Object.keys(COLUMNS).join(', ')}`);
  if (!fields.includes('chargerId')) throw new ImportFormatError('CSV: the header has no id column');
  return rows.map((cells) =>
    Object.fromEntries(
      cells.flatMap((cell, i) => {
        const name = fields[i];
        const value = cell.trim();
        if (!name || value === '') return [];
        return [[name, name === 'securityProfile' && /^\d+$/.test(value) ? Number(value) : value]];
      }),
    ),
  );
};

/** The rows of an import body: CSV (`text/csv`) or JSON (a list, or `{ "chargers": [...] }`). */
export const parseImport = (body: string, contentType: string | undefined): unknown[] => {
  if (/^text\/csv\b/i.test(contentType ?? '')) return fromCsv(body);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ImportFormatError('The body is neither JSON nor sent as text/csv');
  }
  const rows = Array.isArray(json) ? json : (json as { chargers?: unknown } | null)?.chargers;
  if (!Array.isArray(rows)) throw new ImportFormatError('JSON: send a list of chargers, or { "chargers": [...] }');
  return rows;
};

/** Whether any row asks for a chosen password (admin only). */
export const choosesPasswords = (rows: readonly unknown[]): boolean =>
  rows.some((r) => r !== null && typeof r === 'object' && (r as { password?: unknown }).password !== undefined);

const IN_PARALLEL = 4;

const importRow = async (deps: CredentialPorts, raw: unknown, row: number, by: string | undefined): Promise<ImportRowReport> => {
  const parsed = CreateChargerSchema.safeParse(raw);
  const id = typeof (raw as { chargerId?: unknown } | null)?.chargerId === 'string' ? (raw as { chargerId: string }).chargerId : undefined;
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `/${i.path.map(String).join('/')}: ${i.message}`).join('; ');
    return { row, ...(id ? { id } : {}), status: 'invalid', detail };
  }
  const input = parsed.data;
  const outcome = await registerCharger(deps, { ...input, ...(by ? { createdBy: by } : {}) });
  if (outcome.ok) return { row, id: input.chargerId, status: 'created', ...(outcome.value.password ? { password: outcome.value.password } : {}) };
  if (outcome.reason === 'conflict') return { row, id: input.chargerId, status: 'exists', detail: 'already registered; left unchanged' };
  return { row, id: input.chargerId, status: 'invalid', detail: outcome.detail };
};

/** Registers each row (a few at a time); the report is in row order. */
export const importChargers = async (deps: CredentialPorts, rows: readonly unknown[], by?: string): Promise<ImportRowReport[]> => {
  const reports: ImportRowReport[] = new Array(rows.length);
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const i = next++;
      reports[i] = await importRow(deps, rows[i], i + 1, by);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_PARALLEL, rows.length) }, worker));
  return reports;
};
