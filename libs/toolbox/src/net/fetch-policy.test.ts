import { describe, expect, it } from 'vitest';
import { FetchPolicy } from './fetch-policy.js';

describe('FetchPolicy', () => {
  it('allows public unicast addresses only', () => {
    const policy = FetchPolicy.none;
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])
      expect([address, policy.addressAllowed(address)]).toEqual([address, true]);
    const internal = [
      '127.0.0.1',
      '127.255.255.254',
      '10.0.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '100.64.0.1',
      '100.127.255.255',
      '169.254.169.254',
      '0.0.0.0',
      '0.1.2.3',
      '255.255.255.255',
      '224.0.0.251',
      '239.255.255.250',
      '192.0.2.1',
      '198.18.0.1',
      '240.0.0.1',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:8.8.8.8',
      '::7f00:1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      '2001::1',
      'fe80::1',
      'fe80::1%eth0',
      'fc00::1',
      'fd00:ec2::254',
      'ff02::1',
      '2001:db8::1',
      '100::1',
      'not an address',
    ];
    for (const address of internal) expect([address, policy.addressAllowed(address)]).toEqual([address, false]);
  });

  it('lets the operator allow hosts by name, port, subdomain, address or CIDR', () => {
    const policy = FetchPolicy.parse([
      'Data.Internal',
      'files.example:8443',
      '*.corp.example',
      '10.1.0.0/16',
      '192.168.7.7',
      'fd00::/8',
    ]);
    const route = (url: string) => policy.route(new URL(url)).kind;
    expect(route('http://data.internal./x')).toBe('listed');
    expect(route('https://files.example:8443/')).toBe('listed');
    expect(route('https://files.example/')).toBe('filtered');
    expect(route('http://a.b.corp.example/')).toBe('listed');
    expect(route('http://corp.example/')).toBe('filtered');
    expect(route('http://localhost/')).toBe('refused');
    expect(route('ftp://data.internal/')).toBe('refused');
    expect(policy.addressAllowed('10.1.2.3')).toBe(true);
    expect(policy.addressAllowed('::ffff:10.1.2.3')).toBe(true);
    expect(policy.addressAllowed('10.2.0.1')).toBe(false);
    expect(policy.addressAllowed('192.168.7.7')).toBe(true);
    expect(policy.addressAllowed('fd12::1')).toBe(true);
    expect(policy.addressAllowed('127.0.0.1')).toBe(false);
  });

  it('reports every bad allow-list entry', () => {
    const problems: string[] = [];
    FetchPolicy.parse(
      ['10.0.0.0/33', 'http://x/', 'a b', 'ok.example.com', '10.0.0.0/8', '[::1]:8080', 'x/y'],
      (message) => problems.push(message),
    );
    expect(problems).toHaveLength(4);
  });
});
