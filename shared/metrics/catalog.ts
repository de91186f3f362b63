/**
 * What the CSMS counts and times, in one catalog: the functions emit these (CloudWatch embedded metric format, through
 * the Metrics port), the local runtime reads the same lines back (`npm run cli -- metrics`), and the dashboard and
 * alarms (lib/) name them from here, so the three cannot drift. Every metric has the `service` dimension (always
 * METRICS_SERVICE) before its own.
 */

export const METRICS_NAMESPACE = 'OV2xMp';
/** The `service` dimension of every metric (Powertools adds it); one value for all functions, so widgets can name it. */
export const METRICS_SERVICE = 'o-v2x-mp';

export type MetricUnit = 'Count' | 'Milliseconds';

export interface MetricDef {
  readonly name: string;
  readonly unit: MetricUnit;
  /** Dimension names beyond `service`, in this order. */
  readonly dimensions: readonly string[];
  readonly description: string;
}

export const METRICS = {
  chargerMessages: {
    name: 'ChargerMessages',
    unit: 'Count',
    dimensions: ['Action', 'Protocol'],
    description: 'CALLs (and 2.1 SENDs) received from chargers, by action and OCPP version',
  },
  callErrorsSent: { name: 'CallErrorsSent', unit: 'Count', dimensions: ['ErrorCode'], description: 'CALLERRORs the CSMS answered chargers with, by error code' },
  payloadsTolerated: {
    name: 'PayloadsTolerated',
    unit: 'Count',
    dimensions: ['Action'],
    description: 'charger payloads accepted although not conforming (numbers as strings, unknown fields, ...), by action',
  },
  messagesOverBudget: {
    name: 'MessagesOverBudget',
    unit: 'Count',
    dimensions: [],
    description: 'charger frames refused because their charger was over its message budget (answered GenericError, not stored)',
  },
  chargerConnects: { name: 'ChargerConnects', unit: 'Count', dimensions: ['Protocol'], description: 'charger WebSocket connections accepted, by OCPP version' },
  connectRefusals: { name: 'ConnectRefusals', unit: 'Count', dimensions: ['Reason'], description: 'charger connections refused at $connect, by reason' },
  chargerDisconnects: { name: 'ChargerDisconnects', unit: 'Count', dimensions: [], description: 'charger connections closed ($disconnect)' },
  connectedChargers: { name: 'ConnectedChargers', unit: 'Count', dimensions: [], description: 'chargers connected now (sampled every minute)' },
  commandsSent: { name: 'CommandsSent', unit: 'Count', dimensions: ['Action'], description: 'CSMS-initiated CALLs sent to chargers, by action' },
  commandLatency: {
    name: 'CommandLatency',
    unit: 'Milliseconds',
    dimensions: ['Action'],
    description: 'from sending a command to the charger’s answer, by action',
  },
  commandOutcomes: {
    name: 'CommandOutcomes',
    unit: 'Count',
    dimensions: ['Action', 'Outcome'],
    description: 'commands finished, by action and outcome (answered, failed, timedOut)',
  },
  fileUploads: { name: 'FileUploads', unit: 'Count', dimensions: ['Outcome'], description: 'charger uploads to the HTTPS file endpoint, by the HTTP status answered (201 stored, 4xx refused)' },
  firmwareDownloads: {
    name: 'FirmwareDownloads',
    unit: 'Count',
    dimensions: ['Outcome', 'Via'],
    description: 'firmware download requests, by the HTTP status answered (302 redirected, 404 / 410 refused, 503) and way (https, http)',
  },
} as const satisfies Readonly<Record<string, MetricDef>>;

export type MetricKey = keyof typeof METRICS;
/** The dimension values a metric needs, by name. */
export type DimensionsOf<K extends MetricKey> = Readonly<Record<(typeof METRICS)[K]['dimensions'][number], string>>;

/**
 * The domain's port: count or time one thing. Hosts emit each record at once (one embedded-metric line); a host
 * without metrics (a test, the CLI) leaves the port out.
 */
export interface MetricsPort {
  record<K extends MetricKey>(metric: K, value: number, dimensions: DimensionsOf<K>): void;
}
