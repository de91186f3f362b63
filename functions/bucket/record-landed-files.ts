/**
 * Objects created under `chargers/` and `firmware/` in the files bucket (S3 event notifications): each is recorded
 * on its file (shared/file/recording.ts). Every record is tried; if any failed on infrastructure, the invocation
 * throws afterwards, so Lambda delivers the whole event again (recording is idempotent: what was recorded stays as
 * it is). A record that does not fit a file is logged and skipped, never retried.
 */
import type { S3Event } from 'aws-lambda';
import { recordLanding } from '#shared/file/recording.ts';
import { createdObject } from '../_common/s3-events.ts';
import { depsWithFiles } from '../_common/files.ts';
import { logger } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';

const objects = depsWithFiles.files?.objects;
if (!objects) throw new Error('RecordLandedFiles needs the files bucket: its route has no access to it');
const ports = { ...depsWithFiles, objects };

const record = async (event: S3Event): Promise<void> => {
  const failures: unknown[] = [];
  for (const r of event.Records) {
    try {
      const landed = createdObject(r);
      const out = await recordLanding(ports, { key: landed.key, at: landed.at });
      const context = { key: landed.key, eventName: landed.eventName, ...out };
      if (out.outcome === 'skipped' && out.reason !== 'other-object' && out.reason !== 'folder') logger.warn('landed object not recorded', context);
      else logger.info('landed object', out.outcome === 'recorded' ? { key: landed.key, outcome: 'recorded', fileId: out.file.fileId } : context);
    } catch (error) {
      logger.error('recording a landed object failed; the event is delivered again', { key: r.s3.object.key, error });
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${event.Records.length} landed object(s) not recorded`);
};

export const handler = withCsms(record);
