import { describe, expect, it } from 'vitest';
import { corsHeadersFor, corsOriginsOf } from '#functions/_routes/cors.ts';

describe('CORS of real responses', () => {
  const allowed = ['https://console.example.com'];

  it('echoes an allowed origin with the headers the console may read', () => {
    expect(corsHeadersFor('https://console.example.com', allowed)).toEqual({
      'Access-Control-Allow-Origin': 'https://console.example.com',
      'Access-Control-Expose-Headers': 'ETag, Location',
      Vary: 'Origin',
    });
  });

  it('never echoes another origin, and says nothing at all when CORS is off', () => {
    expect(corsHeadersFor('https://evil.example.com', allowed)).toEqual({ Vary: 'Origin' });
    expect(corsHeadersFor(undefined, allowed)).toEqual({ Vary: 'Origin' });
    expect(corsHeadersFor('https://console.example.com', [])).toEqual({});
  });

  it('reads the origins from the comma-separated variable', () => {
    expect(corsOriginsOf(' https://a.example.com,https://b.example.com ,')).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(corsOriginsOf(undefined)).toEqual([]);
  });
});
