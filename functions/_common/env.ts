/**
 * The environment every charger-facing handler reads, parsed once per container. The CDK stack
 * (lib/) and the local runtime (bin/local) both set exactly these variables; see `platformEnvVars`.
 */
import { z } from 'zod';

const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

export const PlatformEnvSchema = z.object({
  CSMS_TABLE: z.string().min(1),
  MESSAGE_LOG_TABLE: z.string().min(1),
  /** Unknown chargers that connect are created `pending` instead of refused. */
  AUTO_REGISTER: flag,
  /** Heartbeat interval handed out in BootNotification; below API Gateway's 10-minute idle timeout. */
  HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().min(10).max(590).default(300),
  /** How long the OCPP message log keeps frames (DynamoDB TTL). */
  MESSAGE_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** @connections endpoint; on AWS it is derived from the event's domain and stage when unset. */
  WS_MANAGEMENT_ENDPOINT: z.url().optional(),
});

export type PlatformEnv = z.infer<typeof PlatformEnvSchema>;

/**
 * Only for routes whose access says `originSecret` (the $connect authorizer): the shared secret CloudFront
 * sends as X-Origin-Verify. The authorizer refuses upgrades without it.
 */
export const OriginSecretEnvSchema = z.object({ ORIGIN_VERIFY_SECRET: z.string().min(16) });

/** Parses the environment, naming every missing or malformed variable so a cold start fails loudly. */
const parseEnv =
  <S extends z.ZodType>(schema: S) =>
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
