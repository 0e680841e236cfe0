import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ForgeRejectedError, ForgeUnavailableError } from '../../functions/core/errors.js';
import { forgeMessage } from '../../functions/forges/forge-errors.js';
import { dispatcherFor } from '../../functions/forges/http/dispatcher.js';
import { ForgeHttp, retryAfterMs } from '../../functions/forges/http/forge-http.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import { LoopbackServer, type ScriptedResponse } from '../fakes/loopback-server.js';

const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';
const STATUS = { sha: SHA, state: 'success', context: 'kustomization/apps/prod', description: 'ok' } as const;

function soon(ms = 5000): number {
  return Date.now() + ms;
}

describe('Retry-After', () => {
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['soon', undefined],
    [null, undefined],
  ])('reads %j as %j ms', (value, expected) => {
    expect(retryAfterMs(value)).toBe(expected);
  });

  it('reads an HTTP date as the time until then', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');

    expect(retryAfterMs('Wed, 25 Nov 2026 10:00:07 GMT', now)).toBe(7000);
    expect(retryAfterMs('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
});

describe('the forge’s message', () => {
  it.each([
    ['Gitea, GitLab, Azure DevOps', { message: 'Not Found' }, 'Not Found'],
    ['GitLab field errors', { message: { target_url: ['is blocked'] } }, '{"target_url":["is blocked"]}'],
    ['GitLab error', { error: 'state is invalid' }, 'state is invalid'],
    ['Bitbucket Cloud', { type: 'error', error: { message: 'key: too long' } }, 'key: too long'],
    ['Bitbucket Server', { errors: [{ message: 'No such repository' }] }, 'No such repository'],
    ['an HTML page', undefined, 'no message'],
  ])('is found in %s answers', (_forge, body, message) => {
    expect(forgeMessage(body)).toBe(message);
  });

  it('is cut to 300 characters', () => {
    expect(Array.from(forgeMessage({ message: 'm'.repeat(5000) }))).toHaveLength(300);
  });
});

/** The retry rules every fetch forge shares; each forge's own suite shows them through the relay. */
describe('retries', () => {
  const answers: ScriptedResponse[] = [];
  const forge = new LoopbackServer(() => answers.shift() ?? { status: 200, body: [] });
  let http: ForgeHttp;

  beforeAll(async () => {
    await forge.start();
    http = new ForgeHttp({
      where: 'Gitea acme/fleet',
      apiUrl: forge.url,
      headers: {},
      dispatcher: dispatcherFor(),
    });
  });

  afterAll(async () => {
    await forge.stop();
  });

  afterEach(() => {
    forge.requests.length = 0;
    answers.length = 0;
  });

  it('tries again after a 500 and returns the next answer', async () => {
    answers.push({ status: 500, body: { message: 'boom' } });

    const answer = await http.request({ method: 'GET', path: '/x', deadline: soon() });

    expect(answer.status).toBe(200);
    expect(forge.requests).toHaveLength(2);
  });

  it('tries a reset connection three times, then says it could not reach the forge', async () => {
    for (let i = 0; i < 3; i++) answers.push({ status: 0, reset: true });

    const request = http.request({ method: 'GET', path: '/x', deadline: soon() });

    await expect(request).rejects.toThrow(
      /Gitea acme\/fleet could not be reached at 127\.0\.0\.1:\d+ \(UND_ERR_SOCKET\) after 3 attempts/,
    );
    expect(forge.requests).toHaveLength(3);
  });

  it('gives up at the deadline when the forge is slower, and starts nothing after it', async () => {
    answers.push({ status: 200, body: [], delayMs: 2000 });
    const started = Date.now();

    const request = http.request({ method: 'GET', path: '/x', deadline: soon(300) });

    await expect(request).rejects.toThrow(/Gitea acme\/fleet did not answer in time/);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(http.request({ method: 'GET', path: '/x', deadline: Date.now() })).rejects.toThrow(
      ForgeUnavailableError,
    );
    expect(forge.requests).toHaveLength(1);
  });
});

describe('final answers', () => {
  const forge = new LoopbackServer(() => ({
    status: 301,
    headers: { location: 'https://new.example.com/api/v1' },
  }));

  beforeAll(async () => {
    await forge.start();
  });

  afterAll(async () => {
    await forge.stop();
  });

  it('refuses to follow a redirect, which would turn the write into a read', async () => {
    const http = new ForgeHttp({
      where: 'Gitea acme/fleet',
      apiUrl: forge.url,
      headers: {},
      dispatcher: dispatcherFor(),
    });

    const write = http.request({
      method: 'POST',
      path: '/repos/acme/fleet/statuses/x',
      body: {},
      deadline: soon(),
    });

    await expect(write).rejects.toThrow(ForgeRejectedError);
    await expect(write).rejects.toThrow(/answered 301: redirects to https:\/\/new\.example\.com\/api\/v1/);
    expect(forge.requests.map((request) => request.method)).toEqual(['POST']);
  });
});

/** A private CA and a certificate for 127.0.0.1, made with openssl for this run only. */
function privateCertificates() {
  const folder = mkdtempSync(join(tmpdir(), 'fcs-tls-'));
  const file = (name: string) => join(folder, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=Test CA',
  );
  openssl('req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.crt'),
    '-days',
    '2',
    '-extfile',
    file('san.ext'),
  );
  return {
    ca: readFileSync(file('ca.crt'), 'utf8'),
    key: readFileSync(file('server.key'), 'utf8'),
    cert: readFileSync(file('server.crt'), 'utf8'),
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
}

/** A self-hosted forge behind a private CA and an HTTPS proxy, as in many companies. */
describe('a self-hosted forge with a private CA, through HTTPS_PROXY', () => {
  const certificates = privateCertificates();
  const gitea: string[] = [];
  const tunnels: string[] = [];
  let forge: Server;
  let proxy: Server;
  let forgeUrl: string;
  let proxyUrl: string;

  beforeAll(async () => {
    forge = createHttpsServer({ key: certificates.key, cert: certificates.cert }, (request, response) => {
      gitea.push(`${request.method} ${request.url}`);
      request.resume();
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      response.end(request.method === 'POST' ? '{}' : '[]');
    });
    forgeUrl = `https://127.0.0.1:${await listen(forge)}`;
    proxy = createHttpServer();
    proxy.on('connect', (request, client, head) => {
      tunnels.push(request.url ?? '');
      const [host, port] = (request.url ?? '').split(':');
      const upstream = connect(Number(port), host as string, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
  });

  afterAll(async () => {
    await close(forge);
    await close(proxy);
  });

  afterEach(() => {
    delete process.env.HTTPS_PROXY;
    delete process.env.NO_PROXY;
    gitea.length = 0;
    tunnels.length = 0;
  });

  function client(caCert?: string) {
    return createForgeClient(
      { type: 'gitea', address: 'https://gitea.example.com/acme/fleet-infra', apiUrl: forgeUrl },
      { token: 'giteaToken0123456789', ...(caCert === undefined ? {} : { caCert }) },
    );
  }

  it('trusts the forge through the secret’s ca.crt', async () => {
    const result = await (await client(certificates.ca)).write(STATUS, { deadline: soon() });

    expect(result).toEqual({ outcome: 'written', forgeStatus: 201 });
    expect(gitea).toEqual([
      `GET /api/v1/repos/acme/fleet-infra/statuses/${SHA}?sort=highestindex&page=1&limit=50`,
      `POST /api/v1/repos/acme/fleet-infra/statuses/${SHA}`,
    ]);
  });

  it('says to add ca.crt when the certificate is not trusted, without retrying', async () => {
    const write = (await client()).write(STATUS, { deadline: soon() });

    await expect(write).rejects.toThrow(ForgeUnavailableError);
    await expect(write).rejects.toThrow(
      /Gitea acme\/fleet-infra at \S+ presented a TLS certificate that is not trusted .*ca\.crt/,
    );
    expect(gitea).toEqual([]);
  });

  it('goes through HTTPS_PROXY, still trusting ca.crt inside the tunnel', async () => {
    process.env.HTTPS_PROXY = proxyUrl;

    const result = await (await client(certificates.ca)).write(STATUS, { deadline: soon() });

    expect(result.outcome).toBe('written');
    expect(tunnels[0]).toBe(new URL(forgeUrl).host);
    expect(gitea).toHaveLength(2);
  });

  it('takes GitHub Enterprise through the same proxy and ca.crt', async () => {
    process.env.HTTPS_PROXY = proxyUrl;
    // A proxy setting of its own gives this test a fresh pool, so its tunnel is not one kept alive.
    process.env.NO_PROXY = 'unrelated.example';
    const github = await createForgeClient(
      { type: 'github', address: 'https://ghe.example.com/acme/fleet-infra', apiUrl: forgeUrl },
      { token: 'ghp_enterpriseToken0123456789', caCert: certificates.ca },
    );

    const result = await github.write(STATUS, { deadline: soon() });

    expect(result.outcome).toBe('written');
    expect(tunnels[0]).toBe(new URL(forgeUrl).host);
    expect(gitea).toEqual([
      `GET /repos/acme/fleet-infra/commits/${SHA}/statuses?per_page=100&page=1`,
      `POST /repos/acme/fleet-infra/statuses/${SHA}`,
    ]);
  });

  it('takes GitHub through HTTPS_PROXY without a ca.crt too', async () => {
    process.env.HTTPS_PROXY = proxyUrl;
    process.env.NO_PROXY = 'another.example';
    const github = await createForgeClient(
      { type: 'github', address: 'https://ghe.example.com/acme/fleet-infra', apiUrl: forgeUrl },
      { token: 'ghp_enterpriseToken0123456789' },
    );

    // Through the tunnel, the forge's private certificate is not trusted without the secret's ca.crt.
    await expect(github.write(STATUS, { deadline: soon() })).rejects.toThrow(ForgeUnavailableError);
    expect(tunnels[0]).toBe(new URL(forgeUrl).host);
    expect(gitea).toEqual([]);
  });

  it('goes straight to a host that NO_PROXY names', async () => {
    process.env.HTTPS_PROXY = proxyUrl;
    process.env.NO_PROXY = '127.0.0.1';

    const result = await (await client(certificates.ca)).write(STATUS, { deadline: soon() });

    expect(result.outcome).toBe('written');
    expect(tunnels).toEqual([]);
  });
});
