import { S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 client every entry point uses. A configured endpoint (a local emulator) wants path-style
 * addressing: `bucket.localhost` does not resolve, and the SDK switches by itself only for IP
 * addresses. Without one, on AWS, requests stay virtual-hosted.
 */
export const createS3Client = (env: NodeJS.ProcessEnv = process.env): S3Client =>
  new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL) });
