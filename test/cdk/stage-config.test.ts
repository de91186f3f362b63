import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { type RouteDef, routes } from '../../functions/routes.ts';
import { CsmsStack } from '../../lib/csms-stack.ts';
import { stageConfig, stageConfigs } from '../../lib/stage-config.ts';

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'functions');
const offline = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

describe('stage configuration', () => {
  it('selects dev and prod and names the allowed stages for anything else', () => {
    expect(stageConfig('prod').stageName).toBe('prod');
    expect(() => stageConfig('staging')).toThrow(/dev\|prod/);
    expect(() => stageConfig(undefined)).toThrow(/Unknown stage/);
  });

  it('keeps plain ws:// and auto-registration out of prod', () => {
    expect(stageConfigs.prod).toMatchObject({ allowPlainWs: false, autoRegister: false });
  });

  it('fails synth when a setting breaks the handlers env schema', () => {
    const config = { ...stageConfigs.dev, heartbeatIntervalSeconds: 600 };
    expect(() => new CsmsStack(offline(), 'Bad', { config, functionsDir: FIXTURES })).toThrow(/HEARTBEAT_INTERVAL_SECONDS/);
  });
});

describe('route table misuse', () => {
  it('refuses a route of a kind neither host knows, naming it, instead of dropping it', () => {
    const pigeon = { kind: 'carrier-pigeon', id: 'Pigeon', entry: 'ws/connect.ts', access: {} } as unknown as RouteDef;
    expect(() => new CsmsStack(offline(), 'Pigeon', { config: stageConfigs.dev, routes: [...routes, pigeon] })).toThrow(
      /Pigeon \(carrier-pigeon\): unknown kind/,
    );
  });

  it('refuses a second $connect authorizer', () => {
    const second: RouteDef = { ...routes[0], id: 'SecondAuthorizer' };
    const props = { config: stageConfigs.dev, routes: [...routes, second], functionsDir: FIXTURES };
    expect(() => new CsmsStack(offline(), 'TwoAuth', props)).toThrow(/SecondAuthorizer \(ws-authorizer\): more than one ws-authorizer for the chargers API/);
  });
});
