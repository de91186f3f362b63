import { describe, expect, it } from 'vitest';
import { canonicalTokenValue, sameTokenValue } from '#shared/token/token-value.ts';
import { idTokenKey, idTokenGroupPk, pendingStartKey, tokenTransactionsPk, tokenUsesKey } from '#shared/store/keys.ts';

describe('id token values are case-insensitive', () => {
  it('upper-cases ASCII letters only: upper-case hex keeps its form, other characters stay as they are', () => {
    expect(canonicalTokenValue('04a2b3c4')).toBe('04A2B3C4');
    expect(canonicalTokenValue('04A2B3C4')).toBe('04A2B3C4');
    expect(canonicalTokenValue('de-abc-c12345678-9')).toBe('DE-ABC-C12345678-9');
    // toUpperCase() would make `ß` two letters and `é` another character: OCPP's CiString folds neither.
    expect(canonicalTokenValue('straße-é')).toBe('STRAßE-é');
  });

  it('compares values in any case as one', () => {
    expect(sameTokenValue('Card-1', 'CARD-1')).toBe(true);
    expect(sameTokenValue('Card-1', 'Card-2')).toBe(false);
  });

  it('keys every item built from a value (or a group id) by its canonical form', () => {
    expect(idTokenKey('card-1', 'ISO14443')).toEqual(idTokenKey('CARD-1', 'ISO14443'));
    expect(tokenUsesKey('card-1')).toEqual(tokenUsesKey('Card-1'));
    expect(tokenTransactionsPk('card-1')).toBe(tokenTransactionsPk('CARD-1'));
    expect(idTokenGroupPk('fleet')).toBe(idTokenGroupPk('FLEET'));
    expect(pendingStartKey('CP-1', 'card-1')).toEqual(pendingStartKey('CP-1', 'CARD-1'));
  });
});
