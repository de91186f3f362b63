import { describe, expect, it } from 'vitest';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageNames } from '../../lib/stage-config.ts';
import { synthStack } from './support.ts';

// cdk-nag 3 reports through CDK policy validation (acknowledged with Validations.of(...).acknowledge), not through
// Annotations: the pack's validateScope gives the unacknowledged findings, and App.synth() fails on any of them.
describe.each(stageNames)('cdk-nag AwsSolutions on the %s stage', (stage) => {
  const { app } = synthStack({ stage });

  it('leaves no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`);
    expect(findings).toEqual([]);
  });

  it('synthesizes with the pack registered as a validation plugin', () => {
    expect(() => app.synth()).not.toThrow();
  });
});
