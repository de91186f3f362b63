/**
 * The CSMS's HTTPS file endpoint (the `uploads` function URL) answers two kinds of request: a charger's GET or HEAD of
 * `/firmware/<token>[/<name>]` downloads the image an UpdateFirmware pointed it at (firmware-download.ts); anything
 * else is an upload (upload.ts), whose paths start with a charger id and take PUT and POST only. So a charger named
 * `firmware` keeps its uploads: the method tells the two apart.
 */
import { type DownloadAnswer, type DownloadRequest, isDownloadRequest, serveFirmwareDownload } from './firmware-download.ts';
import { receiveUpload, type UploadAnswer, type UploadPorts, type UploadRequest } from './upload.ts';

export type FileEndpointAnswer = UploadAnswer | DownloadAnswer;
export type FileEndpointRequest = UploadRequest & DownloadRequest;

/** Only downloads go over plain HTTP (the distribution passes GET and HEAD of `/firmware/` only): never a token in an upload. */
const NOT_OVER_HTTP: FileEndpointAnswer = { status: 404, detail: 'Only firmware downloads are served over plain HTTP.' };

export const answerFileRequest = async (deps: UploadPorts, request: FileEndpointRequest): Promise<FileEndpointAnswer> => {
  if (isDownloadRequest(request)) {
    const answer = await serveFirmwareDownload(deps, request);
    deps.metrics?.record('firmwareDownloads', 1, { Outcome: String(answer.status), Via: request.httpHost === undefined ? 'https' : 'http' });
    return answer;
  }
  const answer = request.httpHost === undefined ? await receiveUpload(deps, request) : NOT_OVER_HTTP;
  deps.metrics?.record('fileUploads', 1, { Outcome: String(answer.status) });
  return answer;
};
