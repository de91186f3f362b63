/**
 * The firmware resources of the REST API (functions/api/firmware/): what an operator sends to declare an image and
 * what the reads answer. Apart from the domain modules (firmware.ts, firmware-update.ts), which the charger message
 * path loads: the schemas are for the REST handlers only.
 */
import * as z from 'zod';

/** PEM: one or more `-----BEGIN …-----` blocks; the charger parses it, we only keep it from being something else. */
const PEM = /^-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----\s*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const DeclareFirmwareSchema = z
  .strictObject({
    /** The image's file name (the object's last path segment, made safe). */
    name: z.string().min(1).max(200),
    /** SHA-256 of the image, hex: S3 accepts only bytes with this checksum. */
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'the SHA-256 of the image: 64 hex digits')
      .transform((hex) => hex.toLowerCase()),
    version: z.string().min(1).max(50).optional(),
    /** PEM X.509 certificate the image was signed with (OCPP allows 5500 characters). */
    signingCertificate: z.string().max(5500).regex(PEM, 'a PEM certificate').optional(),
    /** Base64 signature of the image (OCPP allows 800 characters). */
    signature: z.string().max(800).regex(BASE64, 'base64').optional(),
    description: z.string().min(1).max(500).optional(),
  })
  .refine((b) => (b.signingCertificate === undefined) === (b.signature === undefined), {
    message: 'signed firmware has both a signingCertificate and a signature',
    path: ['signature'],
  });
export type DeclareFirmware = z.output<typeof DeclareFirmwareSchema>;

export const FirmwareSchema = z.object({
  fileId: z.string(),
  kind: z.literal('firmware'),
  /** `requested` until the object with the declared checksum landed, then `uploaded`. */
  status: z.enum(['requested', 'uploaded']),
  name: z.string(),
  sha256: z.string(),
  s3Key: z.string(),
  version: z.string().optional(),
  signingCertificate: z.string().optional(),
  signature: z.string().optional(),
  description: z.string().optional(),
  size: z.number().int().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  uploadedAt: z.string().optional(),
});

export const DeclaredFirmwareSchema = FirmwareSchema.extend({
  /** PUT the image here with these headers before `expiresAt` (e.g. `curl -X PUT -H 'x-amz-checksum-sha256: …' -T fw.bin '<url>'`). */
  upload: z.object({ url: z.string(), headers: z.record(z.string(), z.string()), expiresAt: z.string() }),
});

export const FirmwareUpdateSchema = z.object({
  chargerId: z.string(),
  requestId: z.number().int(),
  commandId: z.string(),
  action: z.enum(['UpdateFirmware', 'SignedUpdateFirmware']),
  protocol: z.enum(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']),
  firmwareId: z.string().optional(),
  retrieveAt: z.string(),
  locationExpiresAt: z.string().optional(),
  requestedAt: z.string(),
  answeredAt: z.string().optional(),
  answer: z.string().optional(),
  status: z.string().optional(),
  reportedAt: z.string().optional(),
  reports: z.array(z.object({ status: z.string(), at: z.string(), messageId: z.string() })),
});

