import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseScannerAddress } from '../../../../electron/core/scanner/scanner-address.js';

const idOf = (text: string) => parseScannerAddress(text)?.id ?? null;

test('typed addresses become eSCL base URLs', () => {
  assert.equal(idOf('192.168.1.20'), 'http://192.168.1.20/eSCL');
  assert.equal(idOf('  192.168.1.20  '), 'http://192.168.1.20/eSCL');
  assert.equal(idOf('scanner-3f:8080'), 'http://scanner-3f:8080/eSCL');
  assert.equal(idOf('brn3c2af4.local'), 'http://brn3c2af4.local/eSCL');
  assert.equal(idOf('192.168.1.20/eSCL'), 'http://192.168.1.20/eSCL');
  assert.equal(idOf('http://host/eSCL/'), 'http://host/eSCL');
  assert.equal(idOf('https://host:8443/eSCL'), 'https://host:8443/eSCL');
  assert.equal(idOf('HTTP://Host:80/escl'), 'http://host/escl');
  assert.equal(idOf('http://host'), 'http://host/eSCL');
  assert.equal(idOf('http://host/'), 'http://host/eSCL');
  assert.equal(idOf('http://10.0.0.5:8080/'), 'http://10.0.0.5:8080/eSCL');
  assert.equal(idOf('[fd00::20]'), 'http://[fd00::20]/eSCL');
  assert.equal(idOf('[fd00::20]:8080'), 'http://[fd00::20]:8080/eSCL');
  assert.equal(idOf('fd00::20'), 'http://[fd00::20]/eSCL');
  assert.equal(idOf('http://[fd00::20]:8080/eSCL'), 'http://[fd00::20]:8080/eSCL');
  assert.deepEqual(parseScannerAddress('192.168.1.20:8080'), { id: 'http://192.168.1.20:8080/eSCL', kind: 'escl', name: '192.168.1.20:8080', origin: 'typed' });
});

test('junk is refused', () => {
  for (const junk of ['', '   ', 'hello world', 'ftp://host/eSCL', 'file:///etc/passwd', 'http://', 'host:99999', 'host:abc', '192.168.1', '999.1.1.1', '-host', 'ho_st', 'http://user:pw@host/eSCL', 'http://host/eSCL?x=1', 'http://host/eSCL#a', 'fd00::zz', '..', 'sane:test']) {
    assert.equal(parseScannerAddress(junk), null, junk);
  }
});
