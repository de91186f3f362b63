/**
 * One SFTP session of the stand-in, upload only, as a Transfer Family session on an S3 home behaves for the session
 * policy this platform answers: the home folder is `/` and nothing above it exists (`..` stops at `/`); a file
 * opened for writing is buffered and put into the bucket when the client closes it; `mkdir` puts a folder marker
 * (`<key>/`, zero bytes, as Transfer does); listing shows only what this session made; reading, removing and
 * renaming are refused. A file the client never closes (the connection dropped) is never put.
 *
 * Two client habits it must meet (../shared/reference/local-emulators.md §4): STAT of a path that does not exist
 * answers NO_SUCH_FILE (OpenSSH would otherwise upload into `<target>/<file>`), and the channel is ended when the
 * client ends it (OpenSSH's `bye` would otherwise hang).
 */
import { posix } from 'node:path';
import ssh2, { type Attributes, type FileEntry, type SFTPWrapper } from 'ssh2';
import type { Logger } from './host.ts';
import type { UploadSession } from './sftp-answer.ts';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;

/** What one local upload may hold in memory before it is refused. */
export const MAX_LOCAL_UPLOAD_BYTES = 512 * 1024 * 1024;
/** S3's longest key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

export interface ObjectSink {
  put(bucket: string, key: string, body: Buffer): Promise<void>;
}

interface OpenFile {
  readonly kind: 'file';
  readonly path: string;
  readonly chunks: { readonly offset: number; readonly data: Buffer }[];
  size: number;
}
interface OpenDir {
  readonly kind: 'dir';
  readonly path: string;
  listed: boolean;
}

const now = () => Math.floor(Date.now() / 1000);
const dirAttrs = (): Attributes => ({ mode: 0o40755, uid: 0, gid: 0, size: 0, atime: now(), mtime: now() });
const fileAttrs = (size: number): Attributes => ({ mode: 0o100644, uid: 0, gid: 0, size, atime: now(), mtime: now() });

/** A client's path as an absolute path of the session: `/` is the home folder, `..` cannot climb above it. */
export const sessionPath = (path: string): string => {
  const normalized = posix.normalize(`/${path}`);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : '/';
};

/** The bucket key of a session path. */
export const sessionKey = (session: Pick<UploadSession, 'home'>, path: string): string => `${session.home}${sessionPath(path).slice(1)}`;

/** Serves the SFTP requests of one granted session; resolves the work it started (puts) through `track`. */
export const serveUploads = (
  sftp: SFTPWrapper,
  session: UploadSession,
  sink: ObjectSink,
  opts: { readonly logger: Logger; readonly track: (work: Promise<unknown>) => void },
): void => {
  const handles = new Map<number, OpenFile | OpenDir>();
  let nextHandle = 0;
  const dirs = new Set<string>(['/']);
  /** Files this session put, with their sizes: what it may see again. */
  const files = new Map<string, number>();

  const newHandle = (entry: OpenFile | OpenDir): Buffer => {
    const handle = Buffer.alloc(4);
    handle.writeUInt32BE(nextHandle);
    handles.set(nextHandle++, entry);
    return handle;
  };
  const entryOf = (handle: Buffer) => (handle.length === 4 ? handles.get(handle.readUInt32BE(0)) : undefined);
  const refuse = (id: number, why = 'upload only') => sftp.status(id, STATUS_CODE.PERMISSION_DENIED, why);

  const stat = (id: number, path: string) => {
    const p = sessionPath(path);
    if (dirs.has(p)) return sftp.attrs(id, dirAttrs());
    const size = files.get(p);
    return size === undefined ? sftp.status(id, STATUS_CODE.NO_SUCH_FILE) : sftp.attrs(id, fileAttrs(size));
  };

  const keyAllowed = (key: string) => Buffer.byteLength(key) <= MAX_KEY_BYTES && session.canPut(key);

  const store = (id: number, path: string, key: string, body: Buffer, done: () => void) => {
    const work = sink.put(session.bucket, key, body).then(
      () => {
        done();
        opts.logger.info(`[sftp] ${path} -> s3://${session.bucket}/${key} (${body.length} bytes)`);
        sftp.status(id, STATUS_CODE.OK);
      },
      (error: unknown) => {
        opts.logger.error(`[sftp] putting s3://${session.bucket}/${key} failed`, error);
        sftp.status(id, STATUS_CODE.FAILURE, 'could not store the file');
      },
    );
    opts.track(work);
  };

  const close = (id: number, handle: Buffer) => {
    const entry = entryOf(handle);
    if (!entry) return sftp.status(id, STATUS_CODE.FAILURE, 'no such handle');
    handles.delete(handle.readUInt32BE(0));
    if (entry.kind === 'dir') return sftp.status(id, STATUS_CODE.OK);
    const body = Buffer.alloc(entry.size);
    for (const chunk of entry.chunks) chunk.data.copy(body, chunk.offset);
    store(id, entry.path, sessionKey(session, entry.path), body, () => files.set(entry.path, body.length));
  };

  const mkdir = (id: number, path: string) => {
    const p = sessionPath(path);
    if (dirs.has(p)) return sftp.status(id, STATUS_CODE.FAILURE, 'exists');
    const key = `${sessionKey(session, p)}/`;
    if (!keyAllowed(key)) return refuse(id, 'not allowed here');
    store(id, p, key, Buffer.alloc(0), () => {
      for (let d = p; d !== '/'; d = posix.dirname(d)) dirs.add(d);
    });
  };

  const readdir = (id: number, handle: Buffer) => {
    const entry = entryOf(handle);
    if (!entry || entry.kind !== 'dir') return sftp.status(id, STATUS_CODE.FAILURE, 'no such handle');
    if (entry.listed) return sftp.status(id, STATUS_CODE.EOF);
    entry.listed = true;
    const inside = (p: string) => p !== '/' && posix.dirname(p) === entry.path;
    const names: FileEntry[] = [
      ...[...dirs].filter(inside).map((p) => ({ filename: posix.basename(p), longname: `drwxr-xr-x 1 0 0 0 ${posix.basename(p)}`, attrs: dirAttrs() })),
      ...[...files].filter(([p]) => inside(p)).map(([p, size]) => ({ filename: posix.basename(p), longname: `-rw-r--r-- 1 0 0 ${size} ${posix.basename(p)}`, attrs: fileAttrs(size) })),
    ];
    return names.length > 0 ? sftp.name(id, names) : sftp.status(id, STATUS_CODE.EOF);
  };

  sftp
    .on('REALPATH', (id, path) => sftp.name(id, [{ filename: sessionPath(path), longname: '', attrs: dirAttrs() }]))
    .on('STAT', stat)
    .on('LSTAT', stat)
    .on('OPEN', (id, filename, flags) => {
      const path = sessionPath(filename);
      if (flags & OPEN_MODE.READ || !(flags & OPEN_MODE.WRITE)) return refuse(id);
      if (path === '/' || dirs.has(path)) return sftp.status(id, STATUS_CODE.FAILURE, 'is a folder');
      if (!keyAllowed(sessionKey(session, path))) return refuse(id, 'not allowed here');
      return sftp.handle(id, newHandle({ kind: 'file', path, chunks: [], size: 0 }));
    })
    .on('WRITE', (id, handle, offset, data) => {
      const entry = entryOf(handle);
      if (entry?.kind !== 'file') return sftp.status(id, STATUS_CODE.FAILURE, 'no such handle');
      const end = offset + data.length;
      if (end > MAX_LOCAL_UPLOAD_BYTES) return sftp.status(id, STATUS_CODE.FAILURE, 'too large for the local stand-in');
      entry.chunks.push({ offset, data: Buffer.from(data) });
      entry.size = Math.max(entry.size, end);
      return sftp.status(id, STATUS_CODE.OK);
    })
    .on('FSTAT', (id, handle) => {
      const entry = entryOf(handle);
      if (!entry) return sftp.status(id, STATUS_CODE.FAILURE, 'no such handle');
      return sftp.attrs(id, entry.kind === 'dir' ? dirAttrs() : fileAttrs(entry.size));
    })
    .on('CLOSE', close)
    .on('OPENDIR', (id, path) => {
      const p = sessionPath(path);
      return dirs.has(p) ? sftp.handle(id, newHandle({ kind: 'dir', path: p, listed: false })) : sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
    })
    .on('READDIR', readdir)
    .on('MKDIR', mkdir)
    // Times and modes mean nothing to S3: accepted and forgotten, as Transfer does.
    .on('SETSTAT', (id) => sftp.status(id, STATUS_CODE.OK))
    .on('FSETSTAT', (id) => sftp.status(id, STATUS_CODE.OK))
    .on('READ', (id) => refuse(id))
    .on('REMOVE', (id) => refuse(id))
    .on('RMDIR', (id) => refuse(id))
    .on('RENAME', (id) => refuse(id))
    .on('SYMLINK', (id) => refuse(id))
    .on('READLINK', (id) => refuse(id))
    .on('EXTENDED', (id) => sftp.status(id, STATUS_CODE.OP_UNSUPPORTED))
    .on('end', () => sftp.end());
};
