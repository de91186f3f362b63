/**
 * What chargers send to the upload endpoint, made into one file. Chargers differ: a raw body (PUT or POST, the name
 * perhaps in a Content-Disposition header, perhaps appended to the URL), or a multipart/form-data form whose first
 * file part is the file, whatever its field is called ("file", "diagnostics", "upload", ...). Bytes in, a file or a
 * reason out; nothing here knows the token, the store or the bucket.
 */
import busboy from 'busboy';

export interface UploadHeaders {
  readonly contentType?: string;
  readonly contentLength?: string;
  readonly contentDisposition?: string;
}

export interface ReceivedFile {
  readonly bytes: Uint8Array;
  /** As the charger named it in the body or its headers (unsanitized); none when it did not. */
  readonly name?: string;
  /** A safe media type for the object: the one given when it is well-formed, else application/octet-stream. */
  readonly contentType: string;
  /** What was odd but accepted, for the log. */
  readonly tolerated: readonly string[];
}

export type ParsedUpload = { readonly ok: true; readonly file: ReceivedFile } | { readonly ok: false; readonly detail: string };

const OCTET_STREAM = 'application/octet-stream';
/** A form has a file and perhaps a few fields; more parts than this is not a charger's upload. */
const MAX_PARTS = 50;
/** `type/subtype` and parameters, printable ASCII only: safe as the object's Content-Type. */
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;[\x20-\x7e]*)?$/;

export const isMultipartForm = (contentType: string | undefined): boolean => /^\s*multipart\/form-data\b/i.test(contentType ?? '');

const mediaTypeOf = (given: string | undefined): string | undefined => {
  const trimmed = given?.trim();
  return trimmed && MEDIA_TYPE.test(trimmed) ? trimmed : undefined;
};

/**
 * The file name of a Content-Disposition value: `filename*` (RFC 8187, UTF-8 percent-encoded) before `filename`
 * (quoted or a token); undefined when it names none.
 */
export const dispositionFileName = (header: string | undefined): string | undefined => {
  if (!header) return undefined;
  const extended = /(?:^|;)\s*filename\*\s*=\s*[^']*'[^']*'([^;\s]+)/i.exec(header);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      // Another charset's bytes: fall back to the plain parameter below.
    }
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/i.exec(header);
  const name = plain?.[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain?.[2]?.trim();
  return name === '' ? undefined : name;
};

const rawFile = (headers: UploadHeaders, body: Uint8Array): ParsedUpload => {
  if (body.byteLength === 0) return { ok: false, detail: 'The body is empty: send the file as the body, or as a part of a multipart/form-data form.' };
  const contentType = mediaTypeOf(headers.contentType);
  const name = dispositionFileName(headers.contentDisposition);
  const tolerated = [
    ...(headers.contentType === undefined ? [`no Content-Type (stored as ${OCTET_STREAM})`] : []),
    ...(headers.contentType !== undefined && contentType === undefined ? [`malformed Content-Type ${JSON.stringify(headers.contentType)} (stored as ${OCTET_STREAM})`] : []),
    ...(name !== undefined ? ['file name from Content-Disposition'] : []),
  ];
  return { ok: true, file: { bytes: body, contentType: contentType ?? OCTET_STREAM, tolerated, ...(name !== undefined ? { name } : {}) } };
};

interface FilePart {
  readonly field: string;
  readonly name?: string;
  readonly mimeType?: string;
  readonly chunks: Buffer[];
}

const fromPart = (part: FilePart, extraFiles: number): ParsedUpload => {
  const bytes = Buffer.concat(part.chunks);
  if (bytes.byteLength === 0) return { ok: false, detail: `The file part "${part.field}" of the form is empty.` };
  const contentType = mediaTypeOf(part.mimeType);
  const tolerated = [
    ...(part.field !== 'file' ? [`multipart field "${part.field}"`] : []),
    ...(extraFiles > 0 ? [`${extraFiles} more file part(s) ignored`] : []),
  ];
  return { ok: true, file: { bytes, contentType: contentType ?? OCTET_STREAM, tolerated, ...(part.name ? { name: part.name } : {}) } };
};

/** The first file part of a form (busboy counts a part with a file name, or of type application/octet-stream, as a file). */
const firstFilePart = (contentType: string, body: Uint8Array): Promise<ParsedUpload> =>
  new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      // File names are sent as UTF-8 by every charger we know, not latin1 (busboy's default for plain parameters).
      parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8', limits: { parts: MAX_PARTS } });
    } catch (error) {
      resolve({ ok: false, detail: `Not a usable multipart/form-data body: ${error instanceof Error ? error.message : String(error)}.` });
      return;
    }
    let found: FilePart | undefined;
    let extraFiles = 0;
    parser.on('file', (field, stream, info) => {
      // A form cut short fails the part's stream too: the parser's own error below says why.
      stream.on('error', () => undefined);
      if (found) {
        extraFiles += 1;
        stream.resume();
        return;
      }
      const part: FilePart = { field, chunks: [], ...(info.filename ? { name: info.filename } : {}), ...(info.mimeType ? { mimeType: info.mimeType } : {}) };
      found = part;
      stream.on('data', (chunk: Buffer) => part.chunks.push(chunk));
    });
    parser.on('error', (error: unknown) => resolve({ ok: false, detail: `Malformed multipart/form-data body: ${error instanceof Error ? error.message : String(error)}.` }));
    parser.on('close', () =>
      resolve(found ? fromPart(found, extraFiles) : { ok: false, detail: 'The form has no file part (a part with a filename, or of type application/octet-stream).' }),
    );
    parser.end(body);
  });

/** The file of an upload's body: the first file part of a multipart/form-data form, else the raw body. */
export const parseUploadBody = (headers: UploadHeaders, body: Uint8Array): Promise<ParsedUpload> =>
  isMultipartForm(headers.contentType) ? firstFilePart(headers.contentType as string, body) : Promise.resolve(rawFile(headers, body));
