/**
 * The CSMS's HTTPS file endpoint (the `uploads` function URL) answers two kinds of request: a charger's GET or HEAD of
 * `/firmware/<token>[/<name>]` downloads the image an UpdateFirmware pointed it at (firmware-download.ts); anything
 * else is an upload (upload.ts), whose paths start with a charger id and take PUT and POST only. So a charger named
 * `firmware` keeps its uploads: the method tells the two apart.
 */
import { type DownloadAnswer, isDownloadRequest, serveFirmwareDownload } from './firmware-download.ts';
import { receiveUpload, type UploadAnswer, type UploadPorts, type UploadRequest } from './upload.ts';

export type FileEndpointAnswer = UploadAnswer | DownloadAnswer;

export const answerFileRequest = (deps: UploadPorts, request: UploadRequest): Promise<FileEndpointAnswer> =>
  isDownloadRequest(request) ? serveFirmwareDownload(deps, request) : receiveUpload(deps, request);
