import { describe, expect, it } from 'vitest';
import { ConfigError, SourceRecord } from '../../../src/core/index.js';
import { checkpointDigest, recordIdFor } from '../../../src/source/record-id.js';
import { createSourceResources } from '../../../src/source/resources.js';
import { sourceSettingsFromEnv } from '../../../src/source/settings.js';

describe('sourceSettingsFromEnv', () => {
  it('reads what the Serverless plugin sets, with defaults for the rest', () => {
    expect(sourceSettingsFromEnv({ DANUBE_SERVICE_URL: 'https://danube.example:6650' })).toEqual({
      serviceUrl: 'https://danube.example:6650',
      checkpointTable: 'danube-checkpoints',
      service: 'default',
    });
    expect(
      sourceSettingsFromEnv({
        DANUBE_SERVICE_URL: 'http://127.0.0.1:6650',
        DANUBE_TOKEN: 'jwt',
        DANUBE_CHECKPOINT_TABLE: 'shop-dev-danube-checkpoints',
        DANUBE_SERVICE: 'shop',
        AWS_ENDPOINT_URL_DYNAMODB: 'https://dynamodb.eu-west-1.amazonaws.com',
      }),
    ).toEqual({
      serviceUrl: 'http://127.0.0.1:6650',
      token: 'jwt',
      checkpointTable: 'shop-dev-danube-checkpoints',
      service: 'shop',
      dynamoDbEndpoint: 'https://dynamodb.eu-west-1.amazonaws.com',
    });
  });

  it('says which variable is missing', () => {
    expect(() => sourceSettingsFromEnv({})).toThrow(ConfigError);
    expect(() => sourceSettingsFromEnv({})).toThrow(/DANUBE_SERVICE_URL is not set/);
  });

  it('keeps where a stored token lives, and refuses to connect without reading it', () => {
    const settings = sourceSettingsFromEnv({ DANUBE_SERVICE_URL: 'https://danube.example:6650', DANUBE_TOKEN_SSM_PARAMETER: '/danube/prod/token' });
    expect(settings.tokenSsmParameter).toBe('/danube/prod/token');
    expect(() => createSourceResources(settings)).toThrow(ConfigError);
    expect(() => createSourceResources(settings)).toThrow(/^DANUBE_TOKEN_SSM_PARAMETER is set, but nothing here reads it/);
    // A plain token wins, so a local run with both set connects with it.
    expect(sourceSettingsFromEnv({ DANUBE_SERVICE_URL: 'http://127.0.0.1:6650', DANUBE_TOKEN: 'jwt', DANUBE_TOKEN_SECRET_ID: 's' })).not.toHaveProperty(
      'tokenSecretId',
    );
  });

  it('uses placeholder AWS credentials only for a loopback DynamoDB without credentials', () => {
    const local = { DANUBE_SERVICE_URL: 'http://127.0.0.1:6650', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' };
    expect(sourceSettingsFromEnv(local).localAws).toBe(true);
    expect(sourceSettingsFromEnv({ ...local, AWS_ACCESS_KEY_ID: 'AKIA' }).localAws).toBeUndefined();
    expect(sourceSettingsFromEnv({ ...local, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1.evil.example' }).localAws).toBeUndefined();
  });
});

describe('record ids', () => {
  it('are stable for the same checkpoint and index, and differ otherwise', () => {
    const r = SourceRecord.fromString('x');
    const a = recordIdFor(r, 'orders', { after: 41 }, 0);
    expect(a).toBe(recordIdFor(SourceRecord.fromString('other payload'), 'orders', { after: 41 }, 0));
    expect(a).not.toBe(recordIdFor(r, 'orders', { after: 41 }, 1));
    expect(a).not.toBe(recordIdFor(r, 'orders', { after: 42 }, 0));
    expect(a).not.toBe(recordIdFor(r, 'payments', { after: 41 }, 0));
    expect(checkpointDigest(undefined)).toBe('-');
    expect(recordIdFor(r, 'orders', undefined, 3)).toBe('orders@-:3');
  });
});
