/**
 * Host of the `sftp-identity` route: an SFTP server on ssh2 standing in for AWS Transfer Family. A password login
 * invokes the route's function with Transfer's identity-provider event and honours its answer as Transfer does
 * (sftp-answer.ts): the session is held to its home folder of the route's bucket, upload only (sftp-session.ts), and
 * each file lands in the local bucket (fauxqs, through the SDK) when the client closes it. Public keys and every
 * other method are refused: chargers log in with upload tokens only. The host key is generated once and kept in
 * the data directory (never in the repository), or lives in memory with `--in-memory`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import ssh2, { type ClientInfo, type Connection, type PasswordAuthContext } from 'ssh2';
import { isSftpIdentityRoute, type RouteDef, type SftpIdentityRoute } from '#functions/routes.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { transferLoginEvent } from '../events/index.ts';
import { LOCAL_AWS_ENV } from '../handler-env.ts';
import type { LambdaFunction } from '../lambda.ts';
import { functionOf, type HostOptions, type RouteHost } from './host.ts';
import { readIdentityAnswer, type UploadSession } from './sftp-answer.ts';
import { type ObjectSink, serveUploads } from './sftp-session.ts';

interface Serving {
  readonly route: SftpIdentityRoute;
  readonly identityProvider: LambdaFunction;
  /** The local name of the route's bucket. */
  readonly bucket: string;
  readonly sink: ObjectSink & { destroy(): void };
}

/** Whether ssh2 can load `key` as a host key. */
const parses = (key: Buffer): boolean => !(ssh2.utils.parseKey(key) instanceof Error);

/**
 * A new ed25519 host key. ssh2's generator writes about one key in a thousand with a 31-byte public key (a leading
 * zero byte dropped), which its own parser then refuses as malformed: such a key is thrown away.
 */
export const generateHostKey = (): Buffer => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const key = Buffer.from(ssh2.utils.generateKeyPairSync('ed25519').private);
    if (parses(key)) return key;
  }
  throw new Error('ssh2 generated no usable ed25519 host key in 10 attempts');
};

/** The server's ed25519 key: kept under the data directory so clients that remember it are not alarmed each start. */
const hostKey = (dataDir: string | undefined): Buffer => {
  if (!dataDir) return generateHostKey();
  const dir = join(dataDir, 'sftp');
  const file = join(dir, 'host_ed25519');
  // A key kept by an earlier version may be one of the malformed ones: replaced (clients see a new host key once).
  if (!existsSync(file) || !parses(readFileSync(file))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, generateHostKey(), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return readFileSync(file);
};

const s3Sink = (endpoint: string): Serving['sink'] => {
  const s3 = new S3Client(awsClientConfig('s3', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_S3: endpoint }));
  return {
    // Transfer writes plain objects (no additional checksum), so the local bucket gets the same.
    put: async (bucket, key, body) => void (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))),
    destroy: () => s3.destroy(),
  };
};

export const prepareSftpHost = async (routes: readonly RouteDef[], opts: HostOptions): Promise<RouteHost> => {
  const [route] = routes.filter(isSftpIdentityRoute); // checkRoutes allows one
  let serving: Serving | undefined;
  const clients = new Set<Connection>();
  const work = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    work.add(p);
    const forget = () => work.delete(p);
    p.then(forget, forget);
  };

  /** Asks the identity provider; the session it grants, or undefined (logged, without the password). */
  const login = async (auth: PasswordAuthContext, info: ClientInfo): Promise<UploadSession | undefined> => {
    if (!serving) return undefined;
    const sourceIp = info.ip.replace(/^::ffff:/, '');
    const out = await serving.identityProvider.invoke(transferLoginEvent({ username: auth.username, password: auth.password, sourceIp }));
    if (!out.ok) {
      opts.logger.error(`[sftp] the identity provider failed for user ${JSON.stringify(auth.username)}`, out.error);
      return undefined;
    }
    const reading = readIdentityAnswer(out.result, serving.bucket);
    if ('refused' in reading) {
      opts.logger.info(`[sftp] login of ${JSON.stringify(auth.username)} from ${sourceIp} refused: ${reading.refused}`);
      return undefined;
    }
    return reading.session;
  };

  const accept = (client: Connection, info: ClientInfo) => {
    clients.add(client);
    let session: UploadSession | undefined;
    client
      .on('authentication', (auth) => {
        if (auth.method !== 'password') return auth.reject(['password']);
        track(
          login(auth, info).then(
            (granted) => {
              session = granted;
              if (granted) auth.accept();
              else auth.reject(['password']);
            },
            (error: unknown) => {
              opts.logger.error('[sftp] login failed', error);
              auth.reject(['password']);
            },
          ),
        );
      })
      .on('ready', () => {
        client.on('session', (acceptSession) => {
          const channel = acceptSession();
          channel.on('sftp', (acceptSftp) => {
            const sink = serving?.sink;
            if (!session || !sink) return;
            serveUploads(acceptSftp(), session, sink, { logger: opts.logger, track });
          });
          // Upload only: no shell, no exec.
          channel.on('shell', (_accept, reject) => reject());
          channel.on('exec', (_accept, reject) => reject());
        });
      })
      .on('error', (e) => opts.logger.info(`[sftp] client ${info.ip}: ${e.message}`))
      .on('close', () => clients.delete(client));
  };

  const server = new ssh2.Server({ hostKeys: [hostKey(opts.dataDir)], ident: 'O-V2X-MP-local-sftp' }, accept);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.ports.sftp, opts.host, () => resolve((server.address() as AddressInfo).port));
  });
  const host = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  return {
    endpoints: { sftp: `sftp://${host}:${port}` },
    start: async (ctx) => {
      if (!route) return;
      const bucket = ctx.resources.buckets[route.bucket];
      if (!bucket) throw new Error(`${route.id}: the local runtime has no bucket ${route.bucket}`);
      serving = { route, identityProvider: functionOf(ctx, route), bucket, sink: s3Sink(ctx.endpoints.sqsAndS3) };
    },
    stop: async () => {
      const sink = serving?.sink;
      serving = undefined;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const client of clients) client.end();
      });
      await Promise.allSettled([...work]);
      sink?.destroy();
    },
  };
};
