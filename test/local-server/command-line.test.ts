import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { script } from '../harness/run-script.js';

/** Every tool under scripts/ and the name npm runs it by. */
const TOOLS = [
  ['send-example', 'scripts/send-example.ts'],
  ['flux-manifests', 'scripts/flux-manifests.ts'],
  ['selftest', 'scripts/selftest.ts'],
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
