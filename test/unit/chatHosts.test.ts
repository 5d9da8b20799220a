import { describe, expect, it } from 'vitest';
import {
  CHAT_REGION_HOSTS,
  CHAT_REGIONS,
  chatRegionBaseUrl,
  isChatRegion,
  parseChatApiEndpoint,
} from '../../src/chat/chatHosts.ts';
import { buildChatRequestUrl, isUint32, randomUint32 } from '../../src/chat/chatRequestUrl.ts';
import { ChatRequestUrlError } from '../../src/errors.ts';

describe('regions', () => {
  it('maps every region to its official primary host (API.md §2, written out by hand)', () => {
    expect(Object.fromEntries(CHAT_REGIONS.map((region) => [region, chatRegionBaseUrl(region)]))).toEqual({
      china: 'https://console.tim.qq.com',
      singapore: 'https://adminapisgp.im.qcloud.com',
      seoul: 'https://adminapikr.im.qcloud.com',
      tokyo: 'https://adminapijpn.im.qcloud.com',
      frankfurt: 'https://adminapiger.im.qcloud.com',
      'silicon-valley': 'https://adminapiusa.im.qcloud.com',
      jakarta: 'https://adminapiidn.im.qcloud.com',
    });
    expect(Object.keys(CHAT_REGION_HOSTS).sort()).toEqual([...CHAT_REGIONS].sort());
  });

  it('region base URLs pass the endpoint validator unchanged', () => {
    for (const region of CHAT_REGIONS) {
      expect(parseChatApiEndpoint(chatRegionBaseUrl(region))).toEqual({
        ok: true,
        baseUrl: chatRegionBaseUrl(region),
      });
    }
  });

  it('recognises exactly the configured spellings', () => {
    expect(isChatRegion('silicon-valley')).toBe(true);
    expect(isChatRegion('china')).toBe(true);
    for (const other of ['China', 'mumbai', 'ksa', 'us', '', ' china', 'toString', 'constructor']) {
      expect(isChatRegion(other)).toBe(false);
    }
  });
});

describe('parseChatApiEndpoint: accepted', () => {
  it.each([
    ['https://console.tim.qq.com', 'https://console.tim.qq.com'],
    ['https://console.tim.qq.com/', 'https://console.tim.qq.com'],
    ['https://chat.example.com:8443', 'https://chat.example.com:8443'],
    ['https://chat.example.com:443/', 'https://chat.example.com'],
    ['https://CHAT.Example.COM', 'https://chat.example.com'],
    ['HTTPS://chat.example.com', 'https://chat.example.com'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['https://10.0.0.5:9000', 'https://10.0.0.5:9000'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1', 'http://127.0.0.1'],
    ['http://127.255.255.254:1', 'http://127.255.255.254:1'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['HTTP://LOCALHOST', 'http://localhost'],
    ['http://[::1]:8080/', 'http://[::1]:8080'],
    ['http://[0:0:0:0:0:0:0:1]:8080', 'http://[::1]:8080'],
    // WHATWG URL canonicalises these spellings to a real 127.0.0.0/8 address: they are loopback.
    ['http://127.1', 'http://127.0.0.1'],
    ['http://0x7f.0.0.1:9', 'http://127.0.0.1:9'],
    ['http://0177.0.0.1', 'http://127.0.0.1'],
    ['http://2130706433', 'http://127.0.0.1'],
  ])('%s → %s', (raw, baseUrl) => {
    expect(parseChatApiEndpoint(raw)).toEqual({ ok: true, baseUrl });
  });
});

describe('parseChatApiEndpoint: refused', () => {
  const refused = (raw: string) => {
    const result = parseChatApiEndpoint(raw);
    if (result.ok) throw new Error(`accepted ${raw}`);
    return result.problem;
  };

  it.each([
    // http: for hosts that only look like loopback
    ['http://localhost.evil.com', /loopback/],
    ['http://127.0.0.1.nip.io', /loopback/],
    ['http://localhost.', /loopback/],
    ['http://evil-localhost', /loopback/],
    ['http://[::ffff:127.0.0.1]', /loopback/],
    ['http://[::2]', /loopback/],
    ['http://128.0.0.1', /loopback/],
    ['http://10.0.0.1:8080', /loopback/],
    ['http://chat.example.com', /loopback/],
    ['http://0.0.0.0:8080', /loopback/],
    // credentials, even empty ones, and host-confusion tricks
    ['http://user:pw@127.0.0.1', /credentials/],
    ['https://user@chat.example.com', /credentials/],
    ['https://@chat.example.com', /credentials/],
    ['https://:@chat.example.com', /credentials/],
    ['http://127.0.0.1:8080@evil.example', /credentials/],
    // path, query, fragment (also empty ones the URL parser would silently drop)
    ['https://chat.example.com/path', /path/],
    ['https://chat.example.com/v4', /path/],
    ['https://chat.example.com//', /path/],
    ['https://chat.example.com/.', /path/],
    ['https://chat.example.com/%2e', /path/],
    ['https://chat.example.com/?q', /query/],
    ['https://chat.example.com?q=1', /query/],
    ['https://chat.example.com?', /query/],
    ['https://chat.example.com#', /fragment/],
    ['https://chat.example.com/#top', /fragment/],
    ['http://evil.example#@127.0.0.1', /fragment/],
    // scheme
    ['ftp://chat.example.com', /scheme/],
    ['file:///etc/passwd', /scheme/],
    ['ws://127.0.0.1', /scheme/],
    ['chat.example.com', /base URL/],
    ['//chat.example.com', /base URL/],
    ['http:/127.0.0.1', /base URL/],
    ['https:chat.example.com', /base URL/],
    // shape and characters
    ['', /empty/],
    ['https://', /no host/],
    ['https:///chat.example.com', /no host/],
    [' https://chat.example.com', /whitespace/],
    ['https://chat.example.com\n', /whitespace/],
    ['https://chat.exa mple.com', /whitespace/],
    ['https://chat.example.com\u0000', /control/],
    ['http:\\\\127.0.0.1', /backslash/],
    ['https://chat.example.com\\path', /backslash/],
    ['https://chat.example.com:99999', /valid URL/],
    ['https://chat.example.com:port', /valid URL/],
    ['https://[::1', /valid URL/],
    ['http://127.0.0.1:0', /port/],
  ])('%j', (raw, problem) => {
    expect(refused(raw)).toMatch(problem);
  });

  it('never repeats the value (it may carry a password)', () => {
    for (const raw of ['https://admin:hunter2@chat.example.com', 'http://admin:hunter2@127.0.0.1:80/x?y#z']) {
      const problem = refused(raw);
      expect(problem).not.toContain('hunter2');
      expect(problem).not.toContain('admin');
    }
  });

  it('names the host when http: is refused, so the operator sees what was parsed', () => {
    expect(refused('http://LOCALHOST.evil.com:80')).toContain('localhost.evil.com');
  });
});

describe('buildChatRequestUrl', () => {
  const auth = { sdkAppId: 1400000000, identifier: 'administrator', userSig: 'eJyr*Vgr-x_Cd_', random: 42 };

  it('spells the documented URL in the documented parameter order', () => {
    expect(buildChatRequestUrl('https://console.tim.qq.com', 'sns', 'friend_delete_all', auth)).toBe(
      'https://console.tim.qq.com/v4/sns/friend_delete_all' +
        '?sdkappid=1400000000&identifier=administrator&usersig=eJyr*Vgr-x_Cd_&random=42&contenttype=json',
    );
  });

  it('tolerates a trailing slash on the base URL', () => {
    expect(buildChatRequestUrl('http://127.0.0.1:8080/', 'sns', 'friend_get', auth)).toMatch(
      /^http:\/\/127\.0\.0\.1:8080\/v4\/sns\/friend_get\?/,
    );
  });

  it('leaves the UserSig alphabet unescaped and round-trips it', () => {
    const userSig =
      'eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMiUZOamKlkZmqOKplYUZBaBxE1NTY3gosWZ6UpWSj5ljuYp*p7l5unBxXnF2WVhVU4uAf7Ozi5JpX7O5SbuHuUhzgZJmQXaTia2SrUAohcx8g__';
    const url = buildChatRequestUrl('https://console.tim.qq.com', 'sns', 'friend_delete_all', {
      ...auth,
      userSig,
    });
    expect(url).toContain(`&usersig=${userSig}&`);
    expect(new URL(url).searchParams.get('usersig')).toBe(userSig);
  });

  it('percent-encodes spaces (as %20), unicode and reserved characters in the identifier', () => {
    const identifier = 'ad min+ü/&=?#%管理';
    const url = buildChatRequestUrl('https://console.tim.qq.com', 'sns', 'friend_get', {
      ...auth,
      identifier,
    });
    expect(url).toContain('&identifier=ad%20min%2B%C3%BC%2F%26%3D%3F%23%25%E7%AE%A1%E7%90%86&usersig=');
    expect(url).not.toMatch(/\+/);
    const parsed = new URL(url);
    expect(parsed.searchParams.get('identifier')).toBe(identifier);
    expect(decodeURIComponent(parsed.search.split('&')[1]?.split('=')[1] ?? '')).toBe(identifier);
    expect([...parsed.searchParams.keys()]).toEqual([
      'sdkappid',
      'identifier',
      'usersig',
      'random',
      'contenttype',
    ]);
  });

  it.each([0, 1, 2 ** 31, 4294967295])('accepts random %d', (random) => {
    const url = buildChatRequestUrl('https://h.example', 'sns', 'friend_get', { ...auth, random });
    expect(new URL(url).searchParams.get('random')).toBe(String(random));
  });

  it.each([-1, 4294967296, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
    'refuses random %d',
    (random) => {
      expect(() =>
        buildChatRequestUrl('https://h.example', 'sns', 'friend_get', { ...auth, random }),
      ).toThrow(ChatRequestUrlError);
    },
  );

  it.each([0, -5, 1.5, Number.NaN])('refuses sdkAppId %d', (sdkAppId) => {
    expect(() =>
      buildChatRequestUrl('https://h.example', 'sns', 'friend_get', { ...auth, sdkAppId }),
    ).toThrow(/sdkAppId/);
  });

  it.each([
    ['sns/../im_open_login_svc', 'friend_get'],
    ['sns', 'friend_get?x=1'],
    ['', 'friend_get'],
    ['sns', ''],
    ['sns', 'friend get'],
  ])('refuses service %j command %j', (service, command) => {
    expect(() => buildChatRequestUrl('https://h.example', service, command, auth)).toThrow(
      ChatRequestUrlError,
    );
  });

  it('keeps the UserSig out of its error messages', () => {
    const userSig = 'SECRET*SIG-VALUE_';
    try {
      buildChatRequestUrl('https://h.example', 'sns', 'friend_get', { ...auth, userSig, random: -1 });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(userSig);
    }
  });
});

describe('randomUint32', () => {
  it('stays within 0..2^32-1 and uses the full 32 bits', () => {
    const samples = Array.from({ length: 256 }, () => randomUint32());
    for (const value of samples) expect(isUint32(value)).toBe(true);
    // With 256 fair draws, missing either half of the range has probability 2^-255.
    expect(samples.some((value) => value >= 2 ** 31)).toBe(true);
    expect(samples.some((value) => value < 2 ** 31)).toBe(true);
    expect(new Set(samples).size).toBeGreaterThan(250);
  });

  it('isUint32 holds the exact bounds', () => {
    expect(isUint32(0)).toBe(true);
    expect(isUint32(0xffff_ffff)).toBe(true);
    expect(isUint32(2 ** 32)).toBe(false);
    expect(isUint32(-1)).toBe(false);
    expect(isUint32(0.5)).toBe(false);
  });
});
