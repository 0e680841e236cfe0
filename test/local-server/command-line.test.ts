import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { script, startScript } from '../harness/run-script.js';

/** Every tool under scripts/ and the name npm runs it by. */
const TOOLS = [
  ['send-example', 'scripts/send-example.ts'],
  ['flux-manifests', 'scripts/flux-manifests.ts'],
  ['selftest', 'scripts/selftest.ts'],
  ['check', 'scripts/check.ts'],
] as const;

/** The tools that work on a fleet or a file of their own: --help, and no config to take. */
const OWN_INPUT_TOOLS = [
  ['config-schema', 'scripts/config-schema.ts'],
  ['bench', 'scripts/bench.ts'],
  ['load-test', 'scripts/load-test.ts'],
] as const;

const folder = mkdtempSync(join(tmpdir(), 'fcs-cli-'));
const ownConfig = join(folder, 'own.json');
const ownSecrets = join(folder, 'own-secrets.json');
writeFileSync(
  ownConfig,
  JSON.stringify({
    routes: [
      {
        id: 'own-1',
        auth: { secret: 'own/webhook' },
        provider: { type: 'github', address: 'https://github.com/acme/own' },
        dryRun: true,
      },
    ],
  }),
);
writeFileSync(ownSecrets, JSON.stringify({ 'own/webhook': { token: 'own-webhook-key-0123456789' } }));

/** No AWS setting of this machine's reaches the child: no profile, no files, no instance metadata. */
const NO_AWS = {
  HOME: folder,
  AWS_PROFILE: undefined,
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_CONFIG_FILE: join(folder, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(folder, 'no-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  CONFIG: undefined,
  SECRETS_FILE: undefined,
};

describe('one command-line surface for every tool', () => {
  it.each(TOOLS)('%s prints its usage, with --config and --secrets-file, for --help', async (name, file) => {
    const result = await script(file, ['--help']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: npm run -s ${name} `));
    expect(result.stdout).toContain('--config FILE');
    expect(result.stdout).toContain('--secrets-file FILE');
  });

  it.each(TOOLS)(
    '%s answers an unknown option with exit 2, the reason and the usage on stderr',
    async (name, file) => {
      const result = await script(file, ['--nope']);

      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(`^${name}: Unknown option '--nope'.*\\n\\nUsage: npm run -s ${name} `),
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );
});

describe('npm start takes the same options', () => {
  it('prints its usage for --help, and answers a mistake with exit 2 and the usage', async () => {
    const help = await script('functions/local/server.ts', ['--help']);
    const mistake = await script('functions/local/server.ts', ['--nope']);

    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: npm start \[-- \[--config FILE\] \[--secrets-file FILE\]\]\n/);
    expect(mistake).toMatchObject({ code: 2, stdout: '' });
    expect(mistake.stderr).toMatch(/^start: Unknown option '--nope'.*\n\nUsage: npm start /);
  });

  it('serves the config and secrets of --config and --secrets-file', async () => {
    const server = startScript(
      'functions/local/server.ts',
      ['--config', ownConfig, '--secrets-file', ownSecrets],
      { PORT: '0', CONFIG: undefined, SECRETS_FILE: undefined },
    );
    try {
      await server.waitFor(/Send a signed example/);
    } finally {
      server.child.kill('SIGKILL');
    }

    expect(server.output()).toContain(`config ${ownConfig}\nsecrets ${ownSecrets}\n`);
    expect(server.output()).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/hooks\/own-1 {2}\(dryRun\)/);
  });
});

describe('the tools with a fleet or a file of their own', () => {
  it.each(OWN_INPUT_TOOLS)('%s prints its usage for --help, and runs nothing', async (name, file) => {
    const result = await script(file, ['--help']);

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: npm run -s ${name}\\b`));
  });

  it.each(OWN_INPUT_TOOLS)(
    '%s refuses --config with exit 2 and the usage, rather than ignore it',
    async (name, file) => {
      const result = await script(file, ['--config', ownConfig]);

      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toMatch(
        new RegExp(`^${name}: takes no --config or --secrets-file: .*\\n\\nUsage: `),
      );
    },
  );
});

describe('npm run check', () => {
  const write = (name: string, value: unknown) => {
    const file = join(folder, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };
  const route = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    auth: { secret: 'own/webhook' },
    provider: { type: 'gitea', address: 'https://git.example.com/acme/fleet', secret: 'own/gitea' },
    ...extra,
  });

  /** A route whose forge is on this machine: the local config may have it, a deployable one not. */
  const LOOPBACK_FORGE = route('eu-1', {
    provider: {
      type: 'gitea',
      address: 'https://git.example.com/acme/fleet',
      apiUrl: 'http://127.0.0.1:3000',
      secret: 'own/gitea',
    },
  });

  it('checks every committed environment when given none', async () => {
    const result = await script('scripts/check.ts', [], { CONFIG: undefined, SECRETS_FILE: undefined });

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^config\/dev\.json: ok\n(?:config\/[a-z0-9-]+\.json: ok\n)*$/);
    expect(result.stdout).toContain('config/local.json: ok\n');
    expect(result.stdout).toContain('config/prod.json: ok\n');
  });

  it('prints every schema problem with its path, not the first ten', async () => {
    const routes = Array.from({ length: 12 }, (_, index) =>
      route(`r${index}`, { events: { kinds: ['helmrelease'] } }),
    );
    const file = write('kinds.json', { routes });

    const result = await script('scripts/check.ts', ['--config', file]);

    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[11]).toBe(
      `${file}: routes[11].events.kinds[0]: "helmrelease" is not a Flux kind (kinds are case-sensitive): did you mean "HelmRelease"?`,
    );
  });

  it('finds what synth and the tools would refuse: URLs a deployed function cannot use, secrets not in the file', async () => {
    const config = {
      routes: [
        LOOPBACK_FORGE,
        // A rotation: the next key need not exist yet.
        route('us-1', {
          auth: { secret: ['own/webhook', 'own/webhook-next'] },
          provider: { type: 'gitea', address: 'https://git.example.com/acme/fleet', secret: 'own/missing' },
        }),
      ],
    };
    const secrets = write('check-secrets.json', {
      'own/webhook': { token: 'k' },
      'own/gitea': { token: 't' },
    });
    const staging = write('staging.json', config);

    const result = await script('scripts/check.ts', ['--config', staging, '--secrets-file', secrets]);

    expect(result).toMatchObject({ code: 1, stderr: '' });
    expect(result.stdout).toBe(
      [
        `${staging}: routes[0].provider.apiUrl: "http://127.0.0.1:3000" is a loopback address, which the function in AWS can never reach`,
        `${staging}: routes[1].provider.secret: secret "own/missing" is not in the local secrets file ${secrets}`,
        '',
      ].join('\n'),
    );
  });

  it('refuses a details page key shorter than the function accepts', async () => {
    const local = join(mkdtempSync(join(tmpdir(), 'fcs-check-')), 'local.json');
    writeFileSync(local, JSON.stringify({ routes: [LOOPBACK_FORGE], detailsPage: { secret: 'own/pages' } }));
    const secrets = write('short-page-key-secrets.json', {
      'own/webhook': { token: 'k' },
      'own/gitea': { token: 't' },
      'own/pages': { token: 'sixteen-bytes-xx' },
    });

    const result = await script('scripts/check.ts', ['--config', local, '--secrets-file', secrets]);

    expect(result).toMatchObject({ code: 1, stderr: '' });
    expect(result.stdout).toBe(
      `${local}: detailsPage.secret: the details page secret "own/pages": "token" has 16 bytes; at least 32 are needed\n`,
    );
    expect(result.stdout).not.toContain('sixteen-bytes-xx');
  });

  it('lets the local config keep a loopback forge, as npm start does', async () => {
    const local = join(mkdtempSync(join(tmpdir(), 'fcs-check-')), 'local.json');
    writeFileSync(
      local,
      JSON.stringify({
        routes: [LOOPBACK_FORGE],
      }),
    );
    const secrets = write('local-check-secrets.json', {
      'own/webhook': { token: 'k' },
      'own/gitea': { token: 't' },
    });

    const result = await script('scripts/check.ts', ['--config', local, '--secrets-file', secrets]);

    expect(result).toMatchObject({ code: 0, stdout: `${local}: ok\n` });
  });
});

describe('flux-manifests reads the config it is given', () => {
  it.each([
    ['--config', ['--config', ownConfig], {}],
    ['CONFIG', [], { CONFIG: ownConfig }],
  ])('takes the routes of %s, not the demo routes', async (_, args, env) => {
    const result = await script(
      'scripts/flux-manifests.ts',
      [...args, '--url', 'https://hooks.example.com'],
      env,
    );

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('address: "https://hooks.example.com/hooks/own-1"');
    expect(result.stdout).not.toContain('demo');
  });

  it('refuses --env and --config together, with the usage', async () => {
    const result = await script('scripts/flux-manifests.ts', ['--env', 'local', '--config', ownConfig]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^flux-manifests: give --env NAME or --config FILE, not both\n\nUsage: /);
  });

  it.each([
    ['scripts/check.ts', 'check'],
    ['scripts/flux-manifests.ts', 'flux-manifests'],
  ])('%s names the environments when --env names none of them', async (file, name) => {
    const result = await script(file, ['--env', 'nowhere']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^${name}: no environment "nowhere"; environments in config/: [a-z, ]*\\blocal\\b`),
    );
  });

  it('names a webhook secret missing from the --secrets-file given', async () => {
    const empty = join(folder, 'empty-secrets.json');
    writeFileSync(empty, '{}');

    const result = await script('scripts/flux-manifests.ts', [
      '--config',
      ownConfig,
      '--secrets-file',
      empty,
      '--url',
      'https://h.example.com',
    ]);

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(
      `flux-manifests: secret "own/webhook" is not in the local secrets file ${empty}\n`,
    );
  });

  it('gives clean YAML through npm run -s, and says on stderr what npm run without -s adds', async () => {
    const run = promisify(execFile);
    const args = ['run', 'flux-manifests', '--', '--env', 'local'];
    const silent = await run('npm', ['run', '-s', ...args.slice(1)]);
    const loud = await run('npm', args);

    expect(silent.stderr).toBe('');
    expect(silent.stdout.startsWith('---\n')).toBe(true);
    const documents = parseAllDocuments(silent.stdout);
    expect(documents.length).toBe(6);
    expect(documents.flatMap((document) => document.errors)).toEqual([]);
    expect(loud.stdout).toContain('> flux-commit-status@');
    expect(loud.stderr).toContain(
      'flux-manifests: npm printed its banner on stdout before this output; run npm run -s flux-manifests',
    );
  });
});

describe('selftest reads the config and secrets it is given', () => {
  it.each([
    ['--config and --secrets-file', ['--config', ownConfig, '--secrets-file', ownSecrets], {}],
    ['CONFIG and SECRETS_FILE', [], { CONFIG: ownConfig, SECRETS_FILE: ownSecrets }],
  ])('checks the routes of %s, one line each on stdout, progress on stderr', async (_, args, env) => {
    const result = await script('scripts/selftest.ts', args, { ...NO_AWS, ...env });

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('OK   own-1: webhook key present; dryRun, so no forge is asked\n');
    expect(result.stderr).toBe('selftest: checking own-1…\n');
  });

  it('says which setting is missing when there is no AWS region', async () => {
    const result = await script('scripts/selftest.ts', ['--config', ownConfig], NO_AWS);

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(
      /^selftest: no AWS region: set "deployment": \{"region": …\} in .*own\.json, or AWS_REGION/,
    );
  });

  it('says what to set when there are no AWS credentials, not the SDK error class', async () => {
    const result = await script('scripts/selftest.ts', ['--env', 'prod'], NO_AWS);

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(
      /^selftest: no AWS credentials: set AWS_PROFILE .* or give --secrets-file FILE/,
    );
    expect(result.stderr).not.toContain('CredentialsProviderError');
  });
});
