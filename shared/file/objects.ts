/**
 * The files bucket as the domain sees it: put, describe, sign and delete objects by key (shared/file/object-keys.ts).
 * The implementation is shared/store/file-object-store.ts (S3); the domain never sees a client or a bucket name.
 */
import type { FirmwareHttpSigner } from './firmware-http.ts';

export interface PutObjectOptions {
  /** As the uploader named it; stored for downloads. */
  readonly contentType?: string;
  /** `x-amz-meta-*`: small strings, e.g. the file id and command that asked for it. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /** SHA-256 of the content, hex, when the object was stored with one (S3 additional checksum). */
  readonly sha256?: string;
  readonly contentType?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface PresignedPut {
  readonly url: string;
  /** Headers the uploader must send with the PUT (they are signed), e.g. the checksum S3 verifies. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface FileObjects {
  /** Stores `body` under `key` with its SHA-256, which S3 checks on arrival; the size and checksum stored. */
  put(key: string, body: Uint8Array, options?: PutObjectOptions): Promise<{ readonly size: number; readonly sha256: string }>;
  /** The object's description, or undefined when there is none. */
  head(key: string): Promise<StoredObject | undefined>;
  /** SHA-256 of the object's content, hex, read through once (objects stored without a checksum). */
  sha256Of(key: string): Promise<string | undefined>;
  /** A GET URL valid for `seconds`; `downloadName` makes browsers save it under that name. */
  presignGet(key: string, seconds: number, downloadName?: string): Promise<string>;
  /** A HEAD URL valid for `seconds` (a signature covers the method: a GET URL answers HEAD with 403). */
  presignHead(key: string, seconds: number): Promise<string>;
  /** A PUT URL valid for `seconds`; with `sha256` (hex) S3 refuses any other content. */
  presignPut(key: string, seconds: number, options?: { readonly sha256?: string; readonly contentType?: string }): Promise<PresignedPut>;
  /** Removes the object (every version stays in a versioned bucket until its lifecycle removes it). */
  delete(key: string): Promise<void>;
}

/** Domain operations that touch the files bucket take this beside the stores. */
export interface ObjectPorts {
  readonly objects: FileObjects;
}

/** Where chargers reach the CSMS's file endpoints: absent when the stage has none. */
export interface FileEndpoints {
  /** Base of the HTTPS upload endpoint, e.g. `https://abc.lambda-url.eu-west-1.on.aws`. */
  readonly uploads?: string;
  /** The SFTP server, e.g. `sftp://s-123.server.transfer.eu-west-1.amazonaws.com`. */
  readonly sftp?: string;
  /**
   * Base of the plain-HTTP firmware distribution (CloudFront in front of the upload endpoint), e.g.
   * `http://d111.cloudfront.net`: download URLs for chargers that cannot do HTTPS (shared/file/firmware-http.ts).
   */
  readonly firmwareHttp?: string;
}

/** An endpoint's base without its trailing slashes, for the paths built under it (upload and download locations). */
export const endpointBase = (url: string): string => url.replace(/\/+$/, '');

/** What file operations need beside the stores: the bucket (when the route may reach it) and the public endpoints. */
export interface FileAccess {
  readonly objects?: FileObjects;
  /** Signs the CloudFront URLs plain-HTTP firmware downloads redirect to (the file endpoint's only). */
  readonly firmwareHttpSigner?: FirmwareHttpSigner;
  readonly endpoints: FileEndpoints;
}
