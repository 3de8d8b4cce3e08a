import { afterAll } from 'vitest';
import { stopSharedDynamoDbLocal } from './shared-dynamodb.ts';

// Loaded before each test file (vitest.config.ts): a DynamoDB Local started for the file ends with it.
afterAll(stopSharedDynamoDbLocal);
