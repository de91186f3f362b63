/**
 * Endpoint and credentials for every AWS SDK client, from one place. On AWS no AWS_ENDPOINT_URL_* variable
 * is set and the SDK defaults apply. Locally (DynamoDB Local, fauxqs, the local API Gateway) or on LocalStack
 * the variables point at the stand-ins.
 */
export type AwsService = 'dynamodb' | 'sqs' | 's3' | 'apigatewaymanagementapi' | 'secretsmanager' | 'cognito-idp';

export interface AwsClientConfig {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle?: boolean;
}

const ENV_SUFFIX: Record<AwsService, string> = {
  dynamodb: 'DYNAMODB',
  sqs: 'SQS',
  s3: 'S3',
  apigatewaymanagementapi: 'APIGATEWAYMANAGEMENTAPI',
  // The SDK's own name for the service's endpoint variable.
  secretsmanager: 'SECRETS_MANAGER',
  'cognito-idp': 'COGNITO_IDENTITY_PROVIDER',
};

export const awsClientConfig = (
  service: AwsService,
  env: NodeJS.ProcessEnv = process.env,
): AwsClientConfig => {
  const endpoint = env[`AWS_ENDPOINT_URL_${ENV_SUFFIX[service]}`] ?? env.AWS_ENDPOINT_URL;
  if (!endpoint) return {};
  return {
    // Passed explicitly: with SQS the SDK would otherwise route to the host inside the QueueUrl.
    endpoint,
    region: env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
    ...(service === 's3' ? { forcePathStyle: true } : {}),
  };
};
