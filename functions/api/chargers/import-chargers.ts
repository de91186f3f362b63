import { choosesPasswords, ImportFormatError, importChargers, MAX_IMPORT_ROWS, parseImport } from '#shared/charger/charger-import.ts';
import { ApiProblem, httpHandler, ok } from '../../_common/http/handler.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { credentialDeps, requireAdminFor } from './context.ts';
import { importChargersRoute } from './routes.ts';

const rowsOf = (body: string, contentType: string | undefined): unknown[] => {
  try {
    return parseImport(body, contentType);
  } catch (error) {
    if (error instanceof ImportFormatError) throw new ApiProblem(400, error.message, [{ pointer: '', detail: error.message }]);
    throw error;
  }
};

export const handler = httpHandler(importChargersRoute, async (req) => {
  const rows = rowsOf(req.rawBody ?? '', req.header('content-type'));
  if (rows.length > MAX_IMPORT_ROWS) throw new ApiProblem(413, `At most ${MAX_IMPORT_ROWS} rows per request (this one has ${rows.length}): split the file`);
  if (choosesPasswords(rows)) requireAdminFor(req.principal, 'Importing chargers with their passwords');
  const report = await importChargers(await credentialDeps(), rows, principalName(req.principal));
  const count = (status: string) => report.filter((r) => r.status === status).length;
  return ok({ created: count('created'), exists: count('exists'), invalid: count('invalid'), rows: report });
});
