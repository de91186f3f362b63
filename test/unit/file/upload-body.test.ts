/**
 * What the upload endpoint makes of a body: a raw body as it came, or the first file part of a multipart form under
 * any field name; names from the form or Content-Disposition; empty and malformed bodies refused with a reason.
 */
import { describe, expect, it } from 'vitest';
import { dispositionFileName, parseUploadBody, type ParsedUpload } from '#shared/file/upload-body.ts';

/** A form as fetch would send it: its bytes and Content-Type with the boundary. */
const formOf = async (fill: (form: FormData) => void) => {
  const form = new FormData();
  fill(form);
  const request = new Request('http://x/', { method: 'POST', body: form });
  return { contentType: request.headers.get('content-type') ?? '', body: new Uint8Array(await request.arrayBuffer()) };
};

const fileOf = (parsed: ParsedUpload) => {
  if (!parsed.ok) throw new Error(`refused: ${parsed.detail}`);
  return parsed.file;
};

/** Bytes that look like a multipart boundary and line ends, and every byte value: nothing may be cut or changed. */
const awkward = new Uint8Array([...Buffer.from('\r\n--boundary\r\n\r\n'), ...Array.from({ length: 256 }, (_, i) => i)]);

describe('raw bodies', () => {
  it('takes the body as it came, with its content type, and no name', async () => {
    const file = fileOf(await parseUploadBody({ contentType: 'application/zip' }, awkward));
    expect(Buffer.from(file.bytes).equals(Buffer.from(awkward))).toBe(true);
    expect(file).toMatchObject({ contentType: 'application/zip', tolerated: [] });
    expect(file.name).toBeUndefined();
  });

  it('stores a body without or with a malformed content type as application/octet-stream, and says so', async () => {
    expect(fileOf(await parseUploadBody({}, awkward))).toMatchObject({ contentType: 'application/octet-stream', tolerated: ['no Content-Type (stored as application/octet-stream)'] });
    const odd = fileOf(await parseUploadBody({ contentType: 'zip file' }, awkward));
    expect(odd.contentType).toBe('application/octet-stream');
    expect(odd.tolerated[0]).toMatch(/^malformed Content-Type "zip file"/);
  });

  it('takes the name of a Content-Disposition header', async () => {
    const file = fileOf(await parseUploadBody({ contentType: 'text/plain', contentDisposition: 'attachment; filename="diag 1.log"' }, awkward));
    expect(file).toMatchObject({ name: 'diag 1.log', contentType: 'text/plain', tolerated: ['file name from Content-Disposition'] });
  });

  it('refuses an empty body', async () => {
    expect(await parseUploadBody({ contentType: 'application/octet-stream' }, new Uint8Array())).toEqual({ ok: false, detail: expect.stringMatching(/^The body is empty/) });
  });
});

describe('Content-Disposition file names', () => {
  it.each([
    ['attachment; filename="a.log"', 'a.log'],
    ['attachment; filename=plain.tgz', 'plain.tgz'],
    ['form-data; name="f"; filename="with \\"quotes\\".txt"', 'with "quotes".txt'],
    [`attachment; filename="fallback.txt"; filename*=UTF-8''%C3%A9t%C3%A9.log`, 'été.log'],
    [`attachment; filename*=ISO-8859-1''%E9t%E9.log; filename="plain.log"`, 'plain.log'],
    ['attachment', undefined],
    ['attachment; filename=""', undefined],
  ])('%s → %s', (header, name) => {
    expect(dispositionFileName(header)).toBe(name);
  });
});

describe('multipart forms', () => {
  it('takes the file part named "file", its name and type, the bytes intact', async () => {
    const { contentType, body } = await formOf((f) => f.append('file', new Blob([awkward], { type: 'application/gzip' }), 'diag.tar.gz'));
    const file = fileOf(await parseUploadBody({ contentType }, body));
    expect(Buffer.from(file.bytes).equals(Buffer.from(awkward))).toBe(true);
    expect(file).toMatchObject({ name: 'diag.tar.gz', contentType: 'application/gzip', tolerated: [] });
  });

  it('takes the first file part whatever its field name, skipping fields before it and files after it', async () => {
    const { contentType, body } = await formOf((f) => {
      f.append('note', 'from the charger');
      f.append('diagnostics', new Blob(['first']), 'one.log');
      f.append('more', new Blob(['second']), 'two.log');
    });
    const file = fileOf(await parseUploadBody({ contentType }, body));
    expect(Buffer.from(file.bytes).toString()).toBe('first');
    expect(file.name).toBe('one.log');
    expect(file.tolerated).toEqual(['multipart field "diagnostics"', '1 more file part(s) ignored']);
  });

  it('takes an octet-stream part without a file name as the file, leaving the name to the caller', async () => {
    const boundary = 'xYz';
    const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="log"\r\nContent-Type: application/octet-stream\r\n\r\nbytes\r\n--${boundary}--\r\n`);
    const file = fileOf(await parseUploadBody({ contentType: `multipart/form-data; boundary=${boundary}` }, body));
    expect(Buffer.from(file.bytes).toString()).toBe('bytes');
    expect(file.name).toBeUndefined();
  });

  it('reads a UTF-8 file name as UTF-8', async () => {
    const { contentType, body } = await formOf((f) => f.append('file', new Blob(['x']), 'journal-été.log'));
    expect(fileOf(await parseUploadBody({ contentType }, body)).name).toBe('journal-été.log');
  });

  it('refuses a form without a file part, with an empty file part, cut short, or without a boundary', async () => {
    const fieldsOnly = await formOf((f) => f.append('file', 'just text'));
    expect(await parseUploadBody({ contentType: fieldsOnly.contentType }, fieldsOnly.body)).toEqual({ ok: false, detail: expect.stringMatching(/^The form has no file part/) });

    const empty = await formOf((f) => f.append('file', new Blob([]), 'empty.log'));
    expect(await parseUploadBody({ contentType: empty.contentType }, empty.body)).toEqual({ ok: false, detail: 'The file part "file" of the form is empty.' });

    const whole = await formOf((f) => f.append('file', new Blob(['cut short']), 'a.log'));
    const cut = whole.body.slice(0, whole.body.length - 20);
    expect(await parseUploadBody({ contentType: whole.contentType }, cut)).toEqual({ ok: false, detail: expect.stringMatching(/^Malformed multipart\/form-data body/) });

    expect(await parseUploadBody({ contentType: 'multipart/form-data' }, whole.body)).toEqual({ ok: false, detail: expect.stringMatching(/^Not a usable multipart\/form-data body/) });
    expect(await parseUploadBody({ contentType: whole.contentType }, Buffer.from('not a form at all'))).toMatchObject({ ok: false });
  });
});
