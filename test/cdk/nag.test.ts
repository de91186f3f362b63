import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type StageContext, stageNames } from '../../lib/stage-config.ts';
import { PROD_CONTEXT, synthStack } from './support.ts';

// The plain-HTTP firmware distribution is off unless a stage passes its key: checked on and off.
const firmwareHttpPublicKeyPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const contexts = (stage: (typeof stageNames)[number]): [string, StageContext][] => {
  const base = stage === 'prod' ? PROD_CONTEXT : {};
  return [
    ['', base],
    [' with the plain-HTTP firmware distribution', { ...base, firmwareHttpPublicKeyPem }],
  ];
};

// cdk-nag 3 reports through CDK policy validation (acknowledged with Validations.of(...).acknowledge), not through
// Annotations: the pack's validateScope gives the unacknowledged findings, and App.synth() fails on any of them.
describe.each(stageNames.flatMap((stage) => contexts(stage).map(([label, context]) => [stage, label, context] as const)))(
  'cdk-nag AwsSolutions on the %s stage%s',
  (stage, _label, context) => {
    const { app } = synthStack({ stage, context });

    it('leaves no unacknowledged finding, error or warning', () => {
      const report = new AwsSolutionsChecks().validateScope(app);
      const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`);
      expect(findings).toEqual([]);
    });

    it('synthesizes with the pack registered as a validation plugin', () => {
      expect(() => app.synth()).not.toThrow();
    });
  },
);
