/**
 * The SFTP stand-in's host key: ssh2's ed25519 generator writes about one key in a thousand that its own parser
 * refuses, which once stopped `npm start` (and a CI run) at random. Every key the host hands out must load.
 */
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { generateHostKey } from '../../../bin/local/hosts/sftp.ts';

describe('the SFTP host key', () => {
  it('is always one ssh2 can load, over many generations', () => {
    for (let i = 0; i < 3000; i++) expect(ssh2.utils.parseKey(generateHostKey())).not.toBeInstanceOf(Error);
  });
});
