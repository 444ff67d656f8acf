/**
 * The channels' signatures against fixed vectors computed with the openssl
 * command line, independently of node:crypto, from each algorithm as documented:
 *
 *   printf '1700000000000\nSECtest' | openssl dgst -sha256 -hmac SECtest -binary | base64
 *   printf '' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<hex of "1700000000\nfeishu-secret"> -binary | base64
 *   printf 'app-1\n1700000000000\nabc123\n{"to":"+86"}' | openssl dgst -sha256 -hmac app-secret
 */
import { describe, expect, it } from 'vitest';
import { dingtalkSign, dingtalkSignedUrl } from './dingtalk.js';
import { feishuSign } from './feishu.js';
import { smsSignedHeaders } from './sms.js';

describe('dingtalk sign', () => {
  it('is base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")), URL-encoded in the URL', () => {
    expect(dingtalkSign('SECtest', 1_700_000_000_000)).toBe('aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=');
    expect(
      dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=t', 'SECtest', 1_700_000_000_000),
    ).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D',
    );
  });
});

describe('feishu sign', () => {
  it('is base64(HMAC-SHA256(key = "<timestamp>\\n<secret>", message = ""))', () => {
    expect(feishuSign('feishu-secret', 1_700_000_000)).toBe('OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=');
  });
});

describe('sms signed preset', () => {
  it('is hex HMAC-SHA256(appSecret, "<appKey>\\n<timestamp>\\n<nonce>\\n<body>")', () => {
    expect(smsSignedHeaders('app-1', 'app-secret', '{"to":"+86"}', 1_700_000_000_000, 'abc123')).toEqual({
      'x-app-key': 'app-1',
      'x-timestamp': '1700000000000',
      'x-nonce': 'abc123',
      'x-signature': '8c0fa77f04a5d075cf4838fb3945d24e51423fd1725eee670c1c44356734ab17',
    });
  });
});
