/**
 * The environment every charger-facing handler reads, parsed once per container. The CDK stack
 * (lib/) and the local runtime (bin/local) both set exactly these variables; see `platformEnvironment`.
 * zod's "mini" build: the full one would add some 440 KB to every Lambda bundle for eight variables.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// Readable messages ("Too small: expected number to be >=10") for the few that ever show at a cold start.
z.config(en());

const flag = z.pipe(
  z._default(z.enum(['true', 'false']), 'false'),
  z.transform((v) => v === 'true'),
);
const whole = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

export const PlatformEnvSchema = z.object({
  CSMS_TABLE: z.string().check(z.minLength(1)),
  MESSAGE_LOG_TABLE: z.string().check(z.minLength(1)),
  /** Unknown chargers that connect are created `pending` instead of refused. */
  AUTO_REGISTER: flag,
  /** Heartbeat interval handed out in BootNotification; below API Gateway's 10-minute idle timeout. */
  HEARTBEAT_INTERVAL_SECONDS: whole(10, 590, 300),
  /** How long the OCPP message log keeps frames (DynamoDB TTL). */
  MESSAGE_LOG_RETENTION_DAYS: whole(1, 3650, 30),
  /** @connections endpoint; on AWS it is derived from the event's domain and stage when unset. */
  WS_MANAGEMENT_ENDPOINT: z.optional(z.url()),
});

export type PlatformEnv = z.infer<typeof PlatformEnvSchema>;

/**
 * Only for routes whose access says `originSecret` (the $connect authorizer): the shared secret CloudFront
 * sends as X-Origin-Verify. The authorizer refuses upgrades without it.
 */
export const OriginSecretEnvSchema = z.object({ ORIGIN_VERIFY_SECRET: z.string().check(z.minLength(16)) });

/** Parses the environment, naming every missing or malformed variable so a cold start fails loudly. */
const parseEnv =
  <S extends z.ZodMiniType>(schema: S) =>
  (source: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> => {
    const parsed = schema.safeParse(source);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`Invalid environment: ${problems}`);
    }
    return Object.freeze(parsed.data);
  };

export const parsePlatformEnv = parseEnv(PlatformEnvSchema);
export const parseOriginSecretEnv = parseEnv(OriginSecretEnvSchema);
