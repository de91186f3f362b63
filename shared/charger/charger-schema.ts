/**
 * The charger resource of the REST API: what an operator sends (create, import row, merge patch) and what a GET
 * answers. The route table (functions/api/chargers/routes.ts) validates with these schemas and documents them; the
 * import (charger-import.ts) checks each row with the create schema, so a row and a POST are refused alike.
 */
import * as z from 'zod';
import { CHARGER_ID_PATTERN } from './charger-id.ts';
import { REPORT_KINDS } from './report.ts';
import { LOCATION_ID_PATTERN } from '../location/location-schema.ts';

/**
 * OCPP 2.0.1 BasicAuthPassword: 16-40 characters of passwordString (a-z A-Z 0-9 * - _ = : + | @ .). A charger
 * migrated from another CSMS keeps the password it has.
 */
export const CHOSEN_PASSWORD_PATTERN = /^[A-Za-z0-9*\-_=:+|@.]{16,40}$/;

const chargerId = z
  .string()
  .regex(CHARGER_ID_PATTERN, '1-48 characters of a-z A-Z 0-9 * - _ = : + | @ .')
  .refine((id) => !/^\.+$/.test(id), 'not dots only');
const locationId = z.string().regex(LOCATION_ID_PATTERN, '1-64 characters of A-Z a-z 0-9 . _ ~ -');
const registrationStatus = z.enum(['pending', 'accepted', 'rejected']);
const securityProfile = z.union([z.literal(1), z.literal(2)]);
const protocol = z.enum(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']);
const label = z.string().trim().min(1).max(100);
const description = z.string().trim().min(1).max(1000);

export const CreateChargerSchema = z.strictObject({
  chargerId,
  /** A password the charger already has (migration; admin only). Generated and answered once when absent. */
  password: z.string().regex(CHOSEN_PASSWORD_PATTERN, "16-40 characters of OCPP's passwordString (a-z A-Z 0-9 * - _ = : + | @ .)").optional(),
  locationId: locationId.optional(),
  registrationStatus: registrationStatus.optional(),
  securityProfile: securityProfile.optional(),
  defaultProtocol: protocol.optional(),
  label: label.optional(),
  description: description.optional(),
});
export type CreateCharger = z.output<typeof CreateChargerSchema>;

/** JSON Merge Patch of what an operator owns; `null` removes. Registration and password have routes of their own. */
export const PatchChargerSchema = z.strictObject({
  locationId: locationId.nullable().optional(),
  label: label.nullable().optional(),
  description: description.nullable().optional(),
  securityProfile: securityProfile.optional(),
  defaultProtocol: protocol.nullable().optional(),
});
export type PatchCharger = z.output<typeof PatchChargerSchema>;

const iso = z.iso.datetime();

/** A charger's profile as lists answer it: never a password or its hash. */
export const ChargerSchema = z.object({
  chargerId: z.string(),
  registrationStatus,
  securityProfile,
  locationId: z.string().optional(),
  defaultProtocol: protocol.optional(),
  label: z.string().optional(),
  description: z.string().optional(),
  autoRegistered: z.boolean().optional(),
  /** A pending auto-registered charger is forgotten at this time unless an operator decides on it. */
  pendingUntil: iso.optional(),
  vendor: z.string().optional(),
  model: z.string().optional(),
  serialNumber: z.string().optional(),
  chargeBoxSerialNumber: z.string().optional(),
  firmwareVersion: z.string().optional(),
  iccid: z.string().optional(),
  imsi: z.string().optional(),
  meterType: z.string().optional(),
  meterSerialNumber: z.string().optional(),
  bootReason: z.string().optional(),
  lastBootAt: iso.optional(),
  passwordRotatedAt: iso.optional(),
  createdAt: iso,
  createdBy: z.string().optional(),
  updatedAt: iso.optional(),
  updatedBy: z.string().optional(),
  version: z.number().int(),
});
export type ChargerRepresentation = z.output<typeof ChargerSchema>;

export const PresenceSummarySchema = z.object({
  connected: z.boolean(),
  protocol: protocol.optional(),
  connectedAt: iso.optional(),
  /** The newest frame the charger sent (its message log). */
  lastSeen: iso.optional(),
});

/** GET /chargers/{chargerId}: the profile and whether it is connected. */
export const ChargerDetailSchema = ChargerSchema.extend({ presence: PresenceSummarySchema });
export type ChargerDetail = z.output<typeof ChargerDetailSchema>;

/** A create or registration change that generated a password answers it once. */
export const ChargerWithPasswordSchema = ChargerSchema.extend({ password: z.string().optional() });

export const RegistrationSchema = z.strictObject({ status: registrationStatus });

const evseNumber = z.coerce.number().int().min(0).max(9999);

/** Query of a charger's history lists: an inclusive time range (ISO-8601 UTC). */
export const TimeRangeQuerySchema = z.strictObject({ from: iso.optional(), to: iso.optional() });
export const StatusHistoryQuerySchema = TimeRangeQuerySchema.extend({ evseId: evseNumber, connectorId: evseNumber });

export const ConnectorSchema = z.object({
  evseId: z.number().int(),
  connectorId: z.number().int(),
  status: z.string().optional(),
  statusTimestamp: iso.optional(),
  statusReceivedAt: iso.optional(),
  errorCode: z.string().optional(),
  info: z.string().optional(),
  vendorId: z.string().optional(),
  vendorErrorCode: z.string().optional(),
  ocppConnectorId: z.number().int().optional(),
  activeTransactionId: z.string().optional(),
  activeTransactionStartedAt: iso.optional(),
  // The latest ChangeAvailability the charger took for it (shared/charger/availability.ts); `status` says whether
  // it has taken effect.
  availability: z.enum(['Operative', 'Inoperative']).optional(),
  availabilityAnswer: z.enum(['Accepted', 'Scheduled']).optional(),
  availabilityRequestedBy: z.string().optional(),
  availabilityAnsweredAt: iso.optional(),
});
/** The connectors come in EVSE and connector order; `cursor` (absent on the last page) asks for the next page. */
export const ConnectorsSchema = z.object({ chargerId: z.string(), connectors: z.array(ConnectorSchema), cursor: z.string().optional() });
/**
 * A page of a charger's connectors. The default is the largest page, so every charger a site really has answers in
 * one page as before paging existed; the limit only bounds what a charger that made up thousands of connectors costs.
 */
export const CONNECTORS_PAGE_MAX = 500;
export const ConnectorsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(CONNECTORS_PAGE_MAX).default(CONNECTORS_PAGE_MAX),
  cursor: z.string().min(1).max(4096).optional(),
});

export const StatusReportSchema = z.object({
  chargerId: z.string(),
  evseId: z.number().int(),
  connectorId: z.number().int(),
  status: z.string(),
  timestamp: iso,
  chargerTimestamp: z.string().optional(),
  messageId: z.string(),
  errorCode: z.string().optional(),
  info: z.string().optional(),
  vendorId: z.string().optional(),
  vendorErrorCode: z.string().optional(),
  ocppConnectorId: z.number().int().optional(),
  receivedAt: iso.optional(),
});

export const TimelineEntrySchema = z.object({
  chargerId: z.string(),
  kind: z.string(),
  at: iso,
  messageId: z.string(),
  payload: z.unknown(),
  receivedAt: iso.optional(),
});

/** One exchange of the OCPP message log, secrets masked as stored. */
export const LoggedFrameSchema = z.object({
  chargerId: z.string(),
  at: iso,
  direction: z.enum(['in', 'out']),
  connectionId: z.string(),
  frame: z.string(),
  messageType: z.number().int().optional(),
  messageId: z.string().optional(),
  action: z.string().optional(),
  reply: z.string().optional(),
  repliedAt: iso.optional(),
  frameTruncated: z.boolean().optional(),
  frameBytes: z.number().int().optional(),
  frameSha256: z.string().optional(),
  replyTruncated: z.boolean().optional(),
  replyBytes: z.number().int().optional(),
  replySha256: z.string().optional(),
});

export const ReportKindSchema = z.enum(REPORT_KINDS);
export const ReportQuerySchema = z.strictObject({ kind: ReportKindSchema.default('deviceModel') });

/** A report of one kind assembled from its pages (charger/report.ts). */
export const ChargerReportSchema = z.object({
  chargerId: z.string(),
  kind: ReportKindSchema,
  requestId: z.number().int(),
  complete: z.boolean(),
  /** The first missing page numbers (at most 100); `missingCount` says how many are missing. */
  missingSeqNos: z.array(z.number().int()),
  missingCount: z.number().int(),
  /** Larger than one answer takes (about 4 MiB of entries or 10,000 pages): only its first pages are here. */
  truncated: z.boolean(),
  pages: z.number().int(),
  reportData: z.array(z.unknown()),
});

export const DeleteChargerQuerySchema = z.strictObject({ history: z.enum(['keep', 'purge']).default('keep') });
