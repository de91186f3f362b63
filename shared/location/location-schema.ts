/**
 * The location resource of the REST API: what an operator sends (create, merge patch) and what a GET answers. The
 * route table (functions/api/locations/routes.ts) uses these schemas for validation and the OpenAPI document; the
 * domain re-checks a patched location against `LocationFieldsSchema`, so a patch cannot leave it invalid.
 */
import * as z from 'zod';

/** Ids are one URL path segment and one key part: no `#` (the key separator), no `/`. */
export const LOCATION_ID_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/;

const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
/** ISO 3166-1 alpha-2, as ICU knows the assigned codes (`XX` is well-formed but not a country). */
const isCountryCode = (code: string): boolean => /^[A-Z]{2}$/.test(code) && regions.of(code) !== undefined;

/** An IANA time zone name the runtime knows (`Europe/Lisbon`, `UTC`). */
export const isTimeZone = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

const text = (max: number) => z.string().trim().min(1).max(max);

export const AddressSchema = z.strictObject({
  street: text(200).optional(),
  city: text(100).optional(),
  postalCode: text(20).optional(),
  country: z.string().refine(isCountryCode, 'an ISO 3166-1 alpha-2 country code in upper case, e.g. PT'),
});

export const CoordinatesSchema = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});

export const GridConnectionSchema = z.strictObject({
  substationId: text(64).optional(),
  transformerId: text(64).optional(),
  contractedCapacityKw: z.number().positive().max(1_000_000).optional(),
});

/** The fields an operator owns. */
export const LocationFieldsSchema = z.strictObject({
  name: text(200),
  address: AddressSchema.optional(),
  coordinates: CoordinatesSchema.optional(),
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. Europe/Lisbon').optional(),
  grid: GridConnectionSchema.optional(),
});
export type LocationFields = z.output<typeof LocationFieldsSchema>;

export const CreateLocationSchema = LocationFieldsSchema.extend({
  /** Chosen by the operator (e.g. a site code); generated when absent. */
  locationId: z.string().regex(LOCATION_ID_PATTERN, '1-64 characters of A-Z a-z 0-9 . _ ~ -').optional(),
});
export type CreateLocation = z.output<typeof CreateLocationSchema>;

/** JSON Merge Patch of the operator's fields: `null` removes a field (not `name`), objects merge member by member. */
export const PatchLocationSchema = z.strictObject({
  name: text(200).optional(),
  address: z
    .strictObject({
      street: text(200).nullable().optional(),
      city: text(100).nullable().optional(),
      postalCode: text(20).nullable().optional(),
      country: z.string().refine(isCountryCode, 'an ISO 3166-1 alpha-2 country code in upper case, e.g. PT').optional(),
    })
    .nullable()
    .optional(),
  coordinates: z.strictObject({ latitude: z.number().min(-90).max(90).optional(), longitude: z.number().min(-180).max(180).optional() }).nullable().optional(),
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. Europe/Lisbon').nullable().optional(),
  grid: z
    .strictObject({
      substationId: text(64).nullable().optional(),
      transformerId: text(64).nullable().optional(),
      contractedCapacityKw: z.number().positive().max(1_000_000).nullable().optional(),
    })
    .nullable()
    .optional(),
});
export type PatchLocation = z.output<typeof PatchLocationSchema>;

const iso = z.iso.datetime();

/** A location as the API answers it. */
export const LocationSchema = LocationFieldsSchema.extend({
  locationId: z.string(),
  /** Chargers that reference the location (kept with each charger write; a location is deleted only at 0). */
  chargerCount: z.number().int(),
  /** Incremented by every operator write; the ETag already tells changes apart, this is for people. */
  version: z.number().int(),
  createdAt: iso,
  createdBy: z.string(),
  updatedAt: iso,
  updatedBy: z.string(),
});
export type Location = z.output<typeof LocationSchema>;
