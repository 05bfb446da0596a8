import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultEndpointSettings,
  defaultImagingPaths,
  environmentPresets,
  isHostOrIp,
  presetDefaults,
  resolveImagingPaths,
  secretEndpointOf,
  validateEndpointSettings,
  type EndpointSettings,
} from '../../../../electron/shared/endpoint/endpoint-settings.js';
import { computeErpPrefix } from '../../../../electron/shared/endpoint/erp-prefix.js';

const codes = (settings: Partial<EndpointSettings>) => validateEndpointSettings({ ...defaultEndpointSettings, ...settings }).map((problem) => `${problem.field}:${problem.code}`);

const production: Partial<EndpointSettings> = { preset: 'public-production', host: 'api.piaozone.com', apiAddress: 'http://api.piaozone.com', clientId: 'abc' };
const privateDeployment: Partial<EndpointSettings> = { preset: 'private', host: '10.1.2.3', port: 80, apiAddress: 'http://10.1.2.3:8080/api', clientId: 'abc' };

test('the defaults and the documented good settings pass', () => {
  assert.deepEqual(codes({}), []);
  assert.deepEqual(codes(production), []);
  assert.deepEqual(codes({ ...production, preset: 'public-demo', host: 'kdimage-demo.piaozone.com', apiAddress: 'http://kdimage-demo.piaozone.com' }), []);
  assert.deepEqual(codes(privateDeployment), []);
  assert.deepEqual(codes({ ...privateDeployment, scheme: 'https', port: 443, apiAddress: 'https://10.1.2.3:8443/api/' }), []);
});

test('every rule from NOTES.md is caught, with the field it concerns', () => {
  assert.deepEqual(codes({ code: 'fpy' }), ['code:code-not-fpy']);
  assert.deepEqual(codes({ scheme: 'http', port: 443 }), ['port:scheme-port-mismatch']);
  assert.deepEqual(codes({ scheme: 'https', port: 80, apiAddress: 'https://127.0.0.1' }), ['port:scheme-port-mismatch']);
  assert.deepEqual(codes({ ...privateDeployment, apiAddress: 'http://10.1.2.3:8080' }), ['apiAddress:private-api-suffix']);
  assert.deepEqual(codes({ host: 'http://10.1.2.3/' }), ['host:host-invalid']);
  assert.deepEqual(codes({ mode: 'sync-to-submitter' }), ['mode:mode-sync-to-submitter']);
  assert.deepEqual(codes({ ...production, host: 'api-dev.piaozone.com', apiAddress: 'http://api-dev.piaozone.com' }), ['host:preset-host']);
  assert.deepEqual(codes({ ...production, clientId: ' ' }), ['clientId:client-id-missing']);
  assert.deepEqual(codes({ apiAddress: 'ftp://x' }), ['apiAddress:api-address-invalid']);
  assert.deepEqual(codes({ taxNumber: '12345' }), ['taxNumber:tax-number-invalid']);
  assert.deepEqual(codes({ taxNumber: '91440300MA5FXXXX1X' }), []);
  assert.deepEqual(codes({ scanDpi: 72 }), ['scanDpi:scan-dpi-range']);
  assert.deepEqual(codes({ proxy: 'not a url' }), ['proxy:proxy-invalid']);
  const fix = validateEndpointSettings({ ...defaultEndpointSettings, ...privateDeployment, apiAddress: 'http://10.1.2.3:8080/' })[0];
  assert.equal(fix?.params['suggestion'], 'http://10.1.2.3:8080/api');
});

test('profile, proxy, certificate, folder and path rules', () => {
  assert.deepEqual(codes({ profileName: ' ' }), ['profileName:profile-name-missing']);
  for (const stationId of ['', 'desk 3', '../x', '-x']) assert.deepEqual(codes({ stationId }), ['stationId:station-id-invalid'], stationId);
  assert.deepEqual(codes({ proxy: 'http://user:pw@proxy.corp:3128' }), ['proxy:proxy-credentials']);
  assert.deepEqual(codes({ proxy: 'socks5://proxy.corp:1080' }), ['proxy:proxy-invalid']);
  assert.deepEqual(codes({ proxy: 'http://proxy.corp:3128' }), []);
  const pem = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
  assert.deepEqual(codes({ ...privateDeployment, scheme: 'https', port: 443, apiAddress: 'https://10.1.2.3/api', caCertificatePem: pem }), []);
  assert.deepEqual(codes({ ...privateDeployment, caCertificatePem: pem }), ['caCertificatePem:ca-unused']);
  assert.deepEqual(codes({ ...privateDeployment, scheme: 'https', port: 443, apiAddress: 'https://10.1.2.3/api', caCertificatePem: 'hello' }), ['caCertificatePem:ca-not-pem']);
  // A folder profile is not judged by the network fields it does not use.
  assert.deepEqual(codes({ adapter: 'folder', host: 'not a host', folderPath: '\\\\fileserver\\scans' }), []);
  assert.deepEqual(codes({ adapter: 'folder', folderPath: 'D:\\scans' }), []);
  assert.deepEqual(codes({ adapter: 'folder', folderPath: '/mnt/scans' }), []);
  assert.deepEqual(codes({ adapter: 'folder' }), ['folderPath:folder-path-missing']);
  assert.deepEqual(codes({ adapter: 'folder', folderPath: 'scans' }), ['folderPath:folder-path-relative']);
  assert.deepEqual(codes({ httpPaths: { upload: '/v2/bills/{imageCode}/pages', token: '/oauth/token' } }), []);
  assert.deepEqual(codes({ httpPaths: { upload: '/v2/pages' } }), ['httpPaths:http-path-invalid']);
  assert.deepEqual(codes({ httpPaths: { token: 'oauth/token' } }), ['httpPaths:http-path-invalid']);
  assert.deepEqual(codes({ httpPaths: { query: '/bills/{imageCode}/../x' } }), ['httpPaths:http-path-invalid']);
  // The rescan reasons name no bill, as the token call does; void and image-scan name one.
  assert.deepEqual(codes({ httpPaths: { rescanReasons: '/v2/rescan-reasons', void: '/v2/bills/{imageCode}/void', imageScan: '/v2/bills/{imageCode}/image-scan' } }), []);
  assert.deepEqual(codes({ httpPaths: { rescanReasons: '/v2/{imageCode}/rescan-reasons' } }), ['httpPaths:http-path-invalid']);
  assert.deepEqual(codes({ httpPaths: { void: '/v2/void' } }), ['httpPaths:http-path-invalid']);
  assert.deepEqual(resolveImagingPaths({ httpPaths: { token: '/oauth/token' } }), { ...defaultImagingPaths, token: '/oauth/token' });
});

test('a configured path stays a path on the API address: forms that name another host are refused as such, with the field and path', () => {
  const otherHost = ['//evil.example/{imageCode}', '/\\evil.example/{imageCode}', '\\\\evil.example/{imageCode}', '\\/evil.example/{imageCode}', 'http://evil.example/{imageCode}', ' //evil.example/{imageCode}', 'https:evil.example/{imageCode}'];
  for (const upload of otherHost) assert.deepEqual(codes({ ...production, httpPaths: { upload } }), ['httpPaths:http-path-other-host'], upload);
  assert.deepEqual(codes({ ...production, httpPaths: { token: '//evil.example/token' } }), ['httpPaths:http-path-other-host']);
  const invalid = ['/a/%2e%2e/{imageCode}', '/a/.%2E/{imageCode}', '/a/./{imageCode}', '/{imageCode}/..', '/a\r\n/{imageCode}', '/a\u0000/{imageCode}', '/a\u202e/{imageCode}', '/a\\..\\{imageCode}', '/a//{imageCode}', '/a%2f%2fevil/{imageCode}'];
  for (const upload of invalid) assert.deepEqual(codes({ ...production, httpPaths: { upload } }), ['httpPaths:http-path-invalid'], JSON.stringify(upload));
  const [problem] = validateEndpointSettings({ ...defaultEndpointSettings, ...production, httpPaths: { close: '//evil.example/\u202e{imageCode}' } });
  assert.deepEqual(problem?.params, { name: 'close', value: '//evil.example/\\u{202e}{imageCode}' }, 'named, and shown with its control characters escaped');
  // Ordinary deployments' paths still pass.
  for (const upload of ['/v2/bills/{imageCode}/pages', '/api-v1/bills/{imageCode}/pages/', '/x_y.z~1/{imageCode}']) assert.deepEqual(codes({ ...production, httpPaths: { upload } }), [], upload);
});

test('the secret binding covers the proxy and the CA as well as the address', () => {
  const base: EndpointSettings = { ...defaultEndpointSettings, ...privateDeployment };
  const bound = secretEndpointOf(base);
  assert.notEqual(secretEndpointOf({ ...base, proxy: 'http://proxy.corp:3128' }), bound);
  assert.notEqual(secretEndpointOf({ ...base, caCertificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }), bound);
  assert.notEqual(secretEndpointOf({ ...base, host: '10.1.2.4' }), bound);
  // Spelling is not a different endpoint.
  assert.equal(secretEndpointOf({ ...base, proxy: 'http://proxy.corp:3128/' }), secretEndpointOf({ ...base, proxy: 'HTTP://Proxy.corp:3128' }));
  assert.equal(secretEndpointOf({ ...base, proxy: '' }), bound);
});

test('presets fill host, scheme, port and API address that pass their own rules', () => {
  for (const preset of environmentPresets) {
    const filled = { ...defaultEndpointSettings, preset, clientId: 'abc', ...presetDefaults(preset) };
    const expected = preset === 'private' ? ['host:host-invalid', 'apiAddress:api-address-invalid'] : [];
    assert.deepEqual(codes(filled), expected, preset);
  }
});

test('host names and IP addresses', () => {
  for (const good of ['api.piaozone.com', '10.1.2.3', 'imaging-01', 'fe80::1']) assert.ok(isHostOrIp(good), good);
  for (const bad of ['http://x', 'a b', '-x.com', '', 'x/y']) assert.ok(!isHostOrIp(bad), bad);
});

test('ERP prefix address from the login address', () => {
  assert.deepEqual(computeErpPrefix('http://172.0.0.1:8080/ierp/'), { prefix: 'http://172.0.0.1:8080/ierp/api/', serviceDomain: 'http://172.0.0.1:8080/ierp/', ierp: true });
  assert.equal(computeErpPrefix('http://172.0.0.1:8080/ierp')?.prefix, 'http://172.0.0.1:8080/ierp/api/');
  assert.equal(computeErpPrefix('http://172.0.0.1:8080/ierp/index.html?x=1')?.prefix, 'http://172.0.0.1:8080/ierp/api/');
  assert.deepEqual(computeErpPrefix('https://xxx.kdcloud.com/'), { prefix: 'https://xxx.kdcloud.com/api/', serviceDomain: 'https://xxx.kdcloud.com/', ierp: false });
  assert.equal(computeErpPrefix(' https://xxx.kdcloud.com ')?.prefix, 'https://xxx.kdcloud.com/api/');
  assert.equal(computeErpPrefix('ftp://x/'), null);
  assert.equal(computeErpPrefix('not a url'), null);
});

test('the scan point and the station scan user: at most 50 characters, no control or bidi characters, blanks around them ignored', () => {
  assert.deepEqual(codes({ scanPoint: '3F 东区扫描点', scanUser: 'zhang.san' }), []);
  assert.deepEqual(codes({ scanPoint: '  SP-01  ', scanUser: ' 1001 ' }), [], 'trimmed when saved: not a problem');
  assert.deepEqual(codes({ scanPoint: '扫'.repeat(50), scanUser: 'u'.repeat(50) }), [], '50 characters (not bytes) fit');
  assert.deepEqual(codes({ scanPoint: '扫'.repeat(51) }), ['scanPoint:scan-point-too-long']);
  assert.deepEqual(codes({ scanUser: 'u'.repeat(51) }), ['scanUser:scan-user-too-long']);
  assert.deepEqual(codes({ scanPoint: 'SP\n01', scanUser: 'admin\u202egnp' }), ['scanPoint:scan-point-characters', 'scanUser:scan-user-characters']);
  assert.deepEqual(codes({ scanUser: 'a\u0007b' }), ['scanUser:scan-user-characters']);
  // Invisible ones too: a word joiner, a soft hyphen, a Mongolian vowel separator, a tag character, a lone
  // surrogate, an invisible times — each makes "u1024" look right in the ERP and match nothing there.
  for (const scanUser of ['u\u20601024', 'u\u00ad1024', 'u\u180e1024', 'u1024\u{e0041}', 'u\ud8001024', 'u\u20621024', 'u\u2028x']) assert.deepEqual(codes({ scanUser }), ['scanUser:scan-user-characters'], JSON.stringify(scanUser));
  assert.deepEqual(codes({ scanPoint: '\u3000 \u00a0', scanUser: '   ' }), [], 'only spaces: none set');
  assert.deepEqual(codes({ scanPoint: '𠀀'.repeat(50), scanUser: 'CON' }), [], '50 characters outside the BMP fit; a Windows device name is just a name (never a file name here)');
  const [problem] = validateEndpointSettings({ ...defaultEndpointSettings, scanPoint: 'x'.repeat(60) });
  assert.deepEqual(problem?.params, { value: 'x'.repeat(60), max: 50, length: 60 });
});

test('every scan-field problem has its words and its fix in both languages', async () => {
  const { createTranslator } = await import('../../../../electron/shared/i18n/catalog.js');
  for (const language of ['zh-CN', 'en'] as const) {
    const { t } = createTranslator(language);
    for (const code of ['scan-point-too-long', 'scan-point-characters', 'scan-user-too-long', 'scan-user-characters']) {
      for (const part of ['endpointProblems', 'endpointFixes']) {
        const text = t(`${part}.${code}`, { value: 'v', max: 50, length: 60 });
        assert.ok(text !== `${part}.${code}` && !text.includes('{{'), `${language} ${part}.${code}: ${text}`);
      }
    }
  }
});
